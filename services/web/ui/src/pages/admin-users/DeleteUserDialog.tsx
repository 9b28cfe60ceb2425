import { Alert, Button, Group, Modal, Radio, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import type { DeleteUser, User } from '../../api/types';
import { errorMessage, fieldError, hasCode } from '../../api/errors';
import { useDeleteUser, useUsers } from './useUsers';

type DataChoice = 'delete' | 'move';

/**
 * Deletes an account after the admin types its username. When the user still owns data the
 * server refuses, and the dialog offers to delete that data as well or to move it to another
 * active user.
 */
export function DeleteUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const remove = useDeleteUser(user.id);
  const [confirmation, setConfirmation] = useState('');
  const [choice, setChoice] = useState<DataChoice | null>(null);
  const [receiver, setReceiver] = useState<string | null>(null);
  // Once the server has said so, the choice of what happens to the data stays on screen.
  const [ownsData, setOwnsData] = useState<string | null>(null);

  const confirmed = confirmation === user.username;
  const mismatch = hasCode(remove.error, 'CONFIRMATION_MISMATCH');
  const receiverError = fieldError(remove.error, ['reassign_to'] as const);
  const chosen = ownsData === null || choice === 'delete' || (choice === 'move' && !!receiver);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed || !chosen) {
      return;
    }
    const deletion: DeleteUser = { confirm_username: confirmation };
    if (choice === 'delete') {
      deletion.delete_data = true;
    } else if (choice === 'move' && receiver) {
      deletion.reassign_to = Number(receiver);
    }
    remove.mutate(deletion, {
      onSuccess: () => {
        notifications.show({ color: 'teal', message: deletedMessage(user, deletion) });
        onClose();
      },
      onError: (error) => {
        if (hasCode(error, 'USER_HAS_DATA')) {
          setOwnsData(error.message);
        }
      },
    });
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
                <Radio.Group label="Their data" value={choice} onChange={setChoice}>
                  <Stack gap={6} mt={4}>
                    <Radio value="delete" label="Delete their data too" />
                    <Radio value="move" label="Move it to another user" />
                  </Stack>
                </Radio.Group>
                {choice === 'move' && (
                  <ReceiverSelect
                    user={user}
                    value={receiver}
                    onChange={setReceiver}
                    error={receiverError?.message}
                  />
                )}
              </Stack>
            </Alert>
          )}
          {remove.isError &&
            !mismatch &&
            !receiverError &&
            !hasCode(remove.error, 'USER_HAS_DATA') && (
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
              disabled={!confirmed || !chosen}
              loading={remove.isPending}
            >
              {submitLabel(ownsData === null ? null : choice)}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The other active users, who may receive the data. */
function ReceiverSelect({
  user,
  value,
  onChange,
  error,
}: {
  user: User;
  value: string | null;
  onChange: (value: string | null) => void;
  error?: string;
}) {
  const users = useUsers();
  const others = (users.data ?? [])
    .filter((other) => other.active && other.id !== user.id)
    .map((other) => ({
      value: String(other.id),
      label: other.display_name ? `${other.username} (${other.display_name})` : other.username,
    }));
  return (
    <Select
      label="Move to"
      description="Same-named categories merge and the starting money of the same month adds up. Calendar feed links stop working."
      placeholder={others.length === 0 ? 'No other active user' : 'Choose a user'}
      data={others}
      value={value}
      onChange={onChange}
      searchable
      nothingFoundMessage="No active user by that name"
      error={error}
    />
  );
}

function submitLabel(choice: DataChoice | null): string {
  switch (choice) {
    case 'delete':
      return 'Delete user and data';
    case 'move':
      return 'Move data and delete user';
    default:
      return 'Delete user';
  }
}

function deletedMessage(user: User, deletion: DeleteUser): string {
  return deletion.reassign_to
    ? `User ${user.username} was deleted and their data moved.`
    : `User ${user.username} was deleted.`;
}
