import { Alert, List, Stack, Text, ThemeIcon } from '@mantine/core';
import type { OidcCheck, OidcTestResult } from '../../api/types';
import { IconCheck, IconMinus, IconX } from '../../components/icons';

const CHECK_LABELS: Record<OidcCheck['name'], string> = {
  issuer: 'Issuer URL resolves',
  discovery: 'Discovery document',
  redirect_uri: 'Redirect URI registered',
  client_credentials: 'Client credentials accepted',
};

/** One line per check of "Test provider", then the groups the provider reported. */
export function OidcTestResults({
  result,
  groupsClaim,
}: {
  result: OidcTestResult;
  groupsClaim: string;
}) {
  return (
    <Alert
      color={result.ok ? 'teal' : 'red'}
      title={result.ok ? 'The provider answered as expected' : 'The provider test found problems'}
      role="status"
      aria-label="Provider test"
    >
      <Stack gap="sm">
        <List spacing="xs" listStyleType="none" aria-label="Provider checks">
          {result.checks.map((check) => (
            <List.Item key={check.name} icon={<CheckIcon ok={check.ok} />}>
              <Text size="sm" span fw={600}>
                {CHECK_LABELS[check.name] ?? check.name}
              </Text>
              <Text size="sm" span c="dimmed">
                {' '}
                ({statusText(check.ok)})
              </Text>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {check.message}
              </Text>
            </List.Item>
          ))}
        </List>
        <GroupsSeen groups={result.groups_claim_seen} claim={groupsClaim.trim() || 'groups'} />
      </Stack>
    </Alert>
  );
}

function GroupsSeen({ groups, claim }: { groups: string[] | null; claim: string }) {
  let text: string;
  if (groups === null) {
    text = `The provider did not show a "${claim}" claim during the test.`;
  } else if (groups.length === 0) {
    text = `The "${claim}" claim was present but empty.`;
  } else {
    text = `Groups seen in "${claim}": ${groups.join(', ')}`;
  }
  return <Text size="sm">{text}</Text>;
}

function statusText(ok: boolean | null): string {
  if (ok === null) {
    return 'not checkable';
  }
  return ok ? 'ok' : 'failed';
}

function CheckIcon({ ok }: { ok: boolean | null }) {
  if (ok === null) {
    return (
      <ThemeIcon color="gray" size={22} radius="xl" variant="light">
        <IconMinus />
      </ThemeIcon>
    );
  }
  return (
    <ThemeIcon color={ok ? 'teal' : 'red'} size={22} radius="xl" variant="light">
      {ok ? <IconCheck /> : <IconX />}
    </ThemeIcon>
  );
}
