import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { errorMessage } from '../../api/errors';
import type { CalendarFeed } from '../../api/types';

interface ConfirmFeedDialogProps {
  feed: CalendarFeed;
  action: 'regenerate' | 'revoke';
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** Asks before a feed's address stops working: a new address, or none at all. */
export function ConfirmFeedDialog({
  feed,
  action,
  pending,
  error,
  onConfirm,
  onClose,
}: ConfirmFeedDialogProps) {
  const name = feed.label ?? 'this feed';
  const regenerate = action === 'regenerate';

  return (
    <Modal
      opened
      onClose={onClose}
      title={regenerate ? `New address for ${name}` : `Revoke ${name}`}
    >
      <Stack gap="sm">
        <Text size="sm">
          {regenerate
            ? 'The current address stops working at once. Calendar apps subscribed to it must be given the new address, which is shown once.'
            : 'The address stops working at once, and calendar apps subscribed to it get no more updates. This cannot be undone.'}
        </Text>
        {error !== null && (
          <Alert color="red" role="alert" title={regenerate ? 'No new address' : 'Not revoked'}>
            <Text size="sm">{errorMessage(error)}</Text>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color={regenerate ? undefined : 'red'} loading={pending} onClick={onConfirm}>
            {regenerate ? 'Give it a new address' : 'Revoke feed'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
