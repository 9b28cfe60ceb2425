import { Alert, Button, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/client';
import { errorMessage, fieldError } from '../api/errors';
import type { PasswordChange } from '../api/types';
import { PasswordField } from '../components/PasswordField';

/** The server's limits for a password, checked here first to save a round trip. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1024;

/** An error for a new password that the server would refuse, or null. */
export function newPasswordError(value: string): string | null {
  if (value.length < PASSWORD_MIN_LENGTH) {
    return `Use at least ${PASSWORD_MIN_LENGTH} characters`;
  }
  if (value.length > PASSWORD_MAX_LENGTH) {
    return `Use at most ${PASSWORD_MAX_LENGTH} characters`;
  }
  return null;
}

interface PasswordChangeFormProps {
  submitLabel: string;
  /** Called once the server has accepted the new password. */
  onChanged: () => void;
}

/** Current password, new password and its confirmation; the server's field errors in place. */
export function PasswordChangeForm({ submitLabel, onChanged }: PasswordChangeFormProps) {
  const change = useMutation({
    mutationFn: (body: PasswordChange) => api.post<void>('/api/auth/password', { body }),
  });
  const form = useForm({
    initialValues: { current_password: '', new_password: '', confirm_password: '' },
    validate: {
      current_password: (value) => (value === '' ? 'Enter your current password' : null),
      new_password: newPasswordError,
      confirm_password: (value, values) =>
        value !== values.new_password ? 'The two new passwords differ' : null,
    },
  });

  const submit = form.onSubmit(({ current_password, new_password }) => {
    change.mutate(
      { current_password, new_password },
      {
        onSuccess: () => {
          form.reset();
          onChanged();
        },
        onError: (error) => {
          const field = fieldError(error, ['current_password', 'new_password'] as const);
          if (field) {
            form.setFieldError(field.field, field.message);
          }
        },
      },
    );
  });

  const shownInPlace = fieldError(change.error, ['current_password', 'new_password'] as const);

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          {...form.getInputProps('current_password')}
        />
        <PasswordField
          label="New password"
          description={`At least ${PASSWORD_MIN_LENGTH} characters`}
          autoComplete="new-password"
          {...form.getInputProps('new_password')}
        />
        <PasswordField
          label="Confirm new password"
          autoComplete="new-password"
          {...form.getInputProps('confirm_password')}
        />
        {change.isError && !shownInPlace && (
          <Alert color="red" role="alert" title="Password not changed">
            <Text size="sm">{errorMessage(change.error)}</Text>
          </Alert>
        )}
        <Button type="submit" loading={change.isPending} style={{ alignSelf: 'flex-start' }}>
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
