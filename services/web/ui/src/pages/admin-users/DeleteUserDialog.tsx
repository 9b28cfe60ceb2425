import { Alert, Button, Checkbox, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import type { User } from '../../api/types';
import { errorMessage, hasCode } from '../../api/errors';
import { useDeleteUser } from './useUsers';

/**
 * Deletes an account after the admin types its username. When the user still owns data the
 * server refuses, and the dialog offers to delete that data as well.
 */
export function DeleteUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const remove = useDeleteUser(user.id);
  const [confirmation, setConfirmation] = useState('');
  const [deleteData, setDeleteData] = useState(false);
  // Once the server has said so, the choice to delete the data too stays on screen.
  const [ownsData, setOwnsData] = useState<string | null>(null);

  const confirmed = confirmation === user.username;
  const mismatch = hasCode(remove.error, 'CONFIRMATION_MISMATCH');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed) {
      return;
    }
    remove.mutate(
      { confirm_username: confirmation, ...(deleteData ? { delete_data: true } : {}) },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: `User ${user.username} was deleted.` });
          onClose();
        },
        onError: (error) => {
          if (hasCode(error, 'USER_HAS_DATA')) {
            setOwnsData(error.message);
          }
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={`Delete ${user.username}`}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            This deletes the account <b>{user.username}</b> for good. It cannot be undone.
          </Text>
          <TextInput
            label={`Type ${user.username} to confirm`}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            data-autofocus
            value={confirmation}
            onChange={(event) => setConfirmation(event.currentTarget.value)}
            error={mismatch ? errorMessage(remove.error) : undefined}
          />
          {ownsData !== null && (
            <Alert color="yellow" title="This user still has data" role="alert">
              <Stack gap="xs">
                <Text size="sm">{ownsData}</Text>
                <Checkbox
                  label="Delete their data too"
                  checked={deleteData}
                  onChange={(event) => setDeleteData(event.currentTarget.checked)}
                />
              </Stack>
            </Alert>
          )}
          {remove.isError && !mismatch && !hasCode(remove.error, 'USER_HAS_DATA') && (
            <Alert color="red" role="alert" title="Not deleted">
              <Text size="sm">{errorMessage(remove.error)}</Text>
            </Alert>
          )}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              color="red"
              disabled={!confirmed || (ownsData !== null && !deleteData)}
              loading={remove.isPending}
            >
              {deleteData ? 'Delete user and data' : 'Delete user'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
