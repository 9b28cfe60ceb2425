import { Alert, Button, Group, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import type { PatchUser, User } from '../../api/types';
import { errorMessage, fieldError } from '../../api/errors';
import { useMe } from '../../auth/useMe';
import { lastSignIn, SOURCE_LABELS } from './labels';
import { RoleInput } from './RoleInput';
import { useUpdateUser } from './useUsers';

const FIELDS = ['username', 'display_name', 'email', 'role', 'active'] as const;

/** Rename, display name, email, role and active; only the changed fields are sent. */
export function EditUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const me = useMe().data;
  const update = useUpdateUser(user.id);
  const isSelf = me?.id === user.id;
  const form = useForm({
    initialValues: {
      username: user.username,
      display_name: user.display_name ?? '',
      email: user.email ?? '',
      role: user.role,
      active: user.active,
    },
    validate: {
      username: (value) => (value.trim() === '' ? 'A user needs a username' : null),
    },
  });

  const submit = form.onSubmit((values) => {
    const change = changedFields(user, values);
    if (Object.keys(change).length === 0) {
      onClose();
      return;
    }
    update.mutate(change, {
      onSuccess: (saved) => {
        notifications.show({ color: 'teal', message: `User ${saved.username} was saved.` });
        onClose();
      },
      onError: (error) => {
        const field = fieldError(error, FIELDS);
        if (field) {
          form.setFieldError(field.field, field.message);
        }
      },
    });
  });

  const shownInPlace = fieldError(update.error, FIELDS);

  return (
    <Modal opened onClose={onClose} title={`Edit ${user.username}`}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Signs in with {SOURCE_LABELS[user.auth_source].toLowerCase()}; last sign-in{' '}
            {lastSignIn(user.last_login_at)}.
          </Text>
          <TextInput
            label="Username"
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            {...form.getInputProps('username')}
          />
          <TextInput label="Display name" {...form.getInputProps('display_name')} />
          <TextInput label="Email" type="email" {...form.getInputProps('email')} />
          <RoleInput
            value={form.values.role}
            onChange={(role) => form.setFieldValue('role', role)}
            error={form.errors.role}
            description={
              isSelf ? 'This is your own account: without the admin role you leave this page.' : ''
            }
          />
          <Switch
            label="Active"
            description="An inactive user cannot sign in; their sessions end at once."
            {...form.getInputProps('active', { type: 'checkbox' })}
          />
          {update.isError && !shownInPlace && (
            <Alert color="red" role="alert" title="Not saved">
              <Text size="sm">{errorMessage(update.error)}</Text>
            </Alert>
          )}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

interface EditValues {
  username: string;
  display_name: string;
  email: string;
  role: User['role'];
  active: boolean;
}

function changedFields(user: User, values: EditValues): PatchUser {
  const change: PatchUser = {};
  const username = values.username.trim();
  const displayName = values.display_name.trim() || null;
  const email = values.email.trim() || null;

  if (username !== user.username) {
    change.username = username;
  }
  if (displayName !== (user.display_name ?? null)) {
    change.display_name = displayName;
  }
  if (email !== (user.email ?? null)) {
    change.email = email;
  }
  if (values.role !== user.role) {
    change.role = values.role;
  }
  if (values.active !== user.active) {
    change.active = values.active;
  }
  return change;
}
