import { Alert, List, Stack, Text, ThemeIcon } from '@mantine/core';
import type { OidcCheck, OidcTestReport } from '../../api/types';
import { IconCheck, IconMinus, IconX } from '../../components/icons';

const CHECK_LABELS: Record<OidcCheck['name'], string> = {
  issuer: 'Issuer URL resolves',
  discovery: 'Discovery document',
  redirect_uri: 'Redirect URI registered',
  client_credentials: 'Client credentials accepted',
};

/** One line per check of "Test provider", then the groups seen at the last single sign-on. */
export function OidcTestResults({ report }: { report: OidcTestReport }) {
  return (
    <Alert
      color={report.ok ? 'teal' : 'red'}
      title={report.ok ? 'The provider answered as expected' : 'The provider test found problems'}
      role="status"
    >
      <Stack gap="sm">
        <List spacing="xs" listStyleType="none" aria-label="Provider checks">
          {report.checks.map((check) => (
            <List.Item key={check.name} icon={<CheckIcon ok={check.ok ?? null} />}>
              <Text size="sm" span fw={600}>
                {CHECK_LABELS[check.name] ?? check.name}
              </Text>
              <Text size="sm" span c="dimmed">
                {' '}
                ({statusText(check.ok ?? null)})
              </Text>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {check.message}
              </Text>
            </List.Item>
          ))}
        </List>
        <GroupsSeen groups={report.groups_claim_seen ?? null} claim={report.groups_claim_name} />
      </Stack>
    </Alert>
  );
}

function GroupsSeen({ groups, claim }: { groups: string[] | null; claim: string }) {
  let text: string;
  if (groups === null) {
    text = `No "${claim}" claim was seen at the last single sign-on.`;
  } else if (groups.length === 0) {
    text = `The "${claim}" claim of the last single sign-on listed no groups.`;
  } else {
    text = `Groups in "${claim}" at the last single sign-on: ${groups.join(', ')}`;
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
      <ThemeIcon color="gray" size={22} radius="xl" variant="filled">
        <IconMinus />
      </ThemeIcon>
    );
  }
  return (
    <ThemeIcon color={ok ? 'teal' : 'red'} size={22} radius="xl" variant="filled">
      {ok ? <IconCheck /> : <IconX />}
    </ThemeIcon>
  );
}
