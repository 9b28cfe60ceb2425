import { Alert, Button, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import type { User } from '../../api/types';
import { errorMessage, fieldError } from '../../api/errors';
import { formatDateTime } from '../../format';
import { useUpdateProfile } from './useProfile';

const SIGN_IN_METHODS: Record<User['auth_source'], string> = {
  local: 'Password',
  oidc: 'Single sign-on',
  both: 'Password or single sign-on',
};

/** Display name and email, which the user may change, beside what only an admin changes. */
export function ProfileDetailsForm({ user }: { user: User }) {
  const update = useUpdateProfile();
  const form = useForm({
    initialValues: { display_name: user.display_name ?? '', email: user.email ?? '' },
    validate: {
      email: (value) =>
        value.trim() !== '' && !/^[^\s@]+@[^\s@]+$/.test(value.trim())
          ? 'Enter an email address such as name@example.com'
          : null,
    },
  });

  const submit = form.onSubmit((values) => {
    const change = {
      display_name: values.display_name.trim() || null,
      email: values.email.trim() || null,
    };
    update.mutate(change, {
      onSuccess: (saved) => {
        const next = { display_name: saved.display_name ?? '', email: saved.email ?? '' };
        form.setValues(next);
        form.resetDirty(next);
        notifications.show({ color: 'teal', message: 'Your details were saved.' });
      },
      onError: (error) => {
        const field = fieldError(error, ['display_name', 'email'] as const);
        if (field) {
          form.setFieldError(field.field, field.message);
        }
      },
    });
  });

  const shownInPlace = fieldError(update.error, ['display_name', 'email'] as const);

  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
        <Fact label="Username" value={user.username} />
        <Fact label="Role" value={user.role === 'admin' ? 'Admin' : 'User'} />
        <Fact label="Signs in with" value={SIGN_IN_METHODS[user.auth_source]} />
        <Fact label="Member since" value={formatDateTime(user.created_at)} />
      </SimpleGrid>

      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Display name"
            description="Shown in the header instead of your username"
            autoComplete="name"
            {...form.getInputProps('display_name')}
          />
          <TextInput
            label="Email"
            description="Where reminders are sent"
            type="email"
            autoComplete="email"
            {...form.getInputProps('email')}
          />
          {update.isError && !shownInPlace && (
            <Alert color="red" role="alert" title="Not saved">
              <Text size="sm">{errorMessage(update.error)}</Text>
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
    </div>
  );
}
