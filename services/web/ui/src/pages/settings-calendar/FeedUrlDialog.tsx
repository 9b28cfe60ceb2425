import { Alert, Button, CopyButton, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import type { CalendarFeedWithUrl } from '../../api/types';
import { IconCheck, IconCopy } from '../../components/icons';

/**
 * The feed's secret address, shown this once: the server keeps only a hash of it. Copy it
 * into the calendar app now.
 */
export function FeedUrlDialog({
  feed,
  onClose,
}: {
  feed: CalendarFeedWithUrl;
  onClose: () => void;
}) {
  const name = feed.label ?? 'Calendar feed';
  return (
    <Modal opened onClose={onClose} title={`Address of ${name}`} size="lg">
      <Stack gap="sm">
        <Text size="sm">
          Subscribe to this address in your calendar app (for example &quot;Add calendar from
          URL&quot;). Anyone who has it can see your bills, so keep it to yourself.
        </Text>
        <TextInput
          label="Feed address"
          value={feed.url}
          readOnly
          onFocus={(event) => event.currentTarget.select()}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <Group>
          <CopyButton value={feed.url}>
            {({ copied, copy }) => (
              <Button
                variant={copied ? 'light' : 'filled'}
                color={copied ? 'teal' : undefined}
                leftSection={copied ? <IconCheck /> : <IconCopy />}
                onClick={copy}
              >
                {copied ? 'Copied' : 'Copy address'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Alert color="yellow" title="It will not be shown again" role="note">
          <Text size="sm">
            BillTracker stores only a fingerprint of this address. If you lose it, give the feed a
            new address; the old one then stops working.
          </Text>
        </Alert>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Done
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
