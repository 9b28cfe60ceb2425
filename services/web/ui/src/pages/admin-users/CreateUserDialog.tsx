import { Alert, Button, Checkbox, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import type { Role } from '../../api/types';
import { errorMessage, fieldError } from '../../api/errors';
import { newPasswordError } from '../../auth/PasswordChangeForm';
import { PasswordField } from '../../components/PasswordField';
import { RoleInput } from './RoleInput';
import { useCreateUser } from './useUsers';

const FIELDS = ['username', 'password', 'role', 'display_name', 'email'] as const;

/** A new local account with a password the admin passes on to its owner. */
export function CreateUserDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateUser();
  const form = useForm({
    initialValues: {
      username: '',
      password: '',
      role: 'user' as Role,
      display_name: '',
      email: '',
      must_change_password: true,
    },
    validate: {
      username: (value) => (value.trim() === '' ? 'Choose a username' : null),
      password: newPasswordError,
    },
  });

  const close = () => {
    form.reset();
    create.reset();
    onClose();
  };

  const submit = form.onSubmit((values) => {
    create.mutate(
      {
        username: values.username.trim(),
        password: values.password,
        role: values.role,
        display_name: values.display_name.trim() || undefined,
        email: values.email.trim() || undefined,
        must_change_password: values.must_change_password,
      },
      {
        onSuccess: (user) => {
          notifications.show({ color: 'teal', message: `User ${user.username} was created.` });
          close();
        },
        onError: (error) => {
          const field = fieldError(error, FIELDS);
          if (field) {
            form.setFieldError(field.field, field.message);
          }
        },
      },
    );
  });

  const shownInPlace = fieldError(create.error, FIELDS);

  return (
    <Modal opened={opened} onClose={close} title="Create user">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Username"
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            data-autofocus
            {...form.getInputProps('username')}
          />
          <PasswordField
            label="Password"
            required
            description="At least 10 characters. Tell it to the user."
            autoComplete="new-password"
            {...form.getInputProps('password')}
          />
          <RoleInput
            value={form.values.role}
            onChange={(role) => form.setFieldValue('role', role)}
            error={form.errors.role}
          />
          <TextInput label="Display name" {...form.getInputProps('display_name')} />
          <TextInput label="Email" type="email" {...form.getInputProps('email')} />
          <Checkbox
            label="Ask for a new password at the first sign-in"
            {...form.getInputProps('must_change_password', { type: 'checkbox' })}
          />
          {create.isError && !shownInPlace && (
            <Alert color="red" role="alert" title="User not created">
              <Text size="sm">{errorMessage(create.error)}</Text>
            </Alert>
          )}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
