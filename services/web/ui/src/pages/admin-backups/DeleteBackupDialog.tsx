import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/errors';
import type { Backup } from '../../api/types';
import { useDeleteBackup } from './useBackups';

/** Deletes a backup file and its checksum, after asking. */
export function DeleteBackupDialog({ backup, onClose }: { backup: Backup; onClose: () => void }) {
  const remove = useDeleteBackup();

  const confirm = () =>
    remove.mutate(backup.id, {
      onSuccess: () => {
        notifications.show({ color: 'teal', message: `Backup ${backup.id} was deleted.` });
        onClose();
      },
    });

  return (
    <Modal opened onClose={onClose} title="Delete a backup">
      <Stack gap="sm">
        <Text size="sm">
          This deletes <Code>{backup.id}</Code> from the backup folder for good.
        </Text>
        {remove.isError && (
          <Alert color="red" role="alert" title="Not deleted">
            <Text size="sm">{errorMessage(remove.error)}</Text>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={remove.isPending} onClick={confirm}>
            Delete backup
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
