import { Card, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ReactNode } from 'react';
import { PasswordChangeForm } from '../../auth/PasswordChangeForm';
import { useMe } from '../../auth/useMe';
import { LoginHistory } from './LoginHistory';
import { ProfileDetailsForm } from './ProfileDetailsForm';

/** `/profile`: the signed-in user's own details, password and recent sign-ins. */
export function ProfilePage() {
  const user = useMe().data;
  // The route guard renders this page only for a signed-in user.
  if (!user) {
    return null;
  }

  return (
    <Stack gap="lg" maw={760}>
      <Title order={2}>Profile</Title>

      <Section title="Your details">
        <ProfileDetailsForm user={user} />
      </Section>

      <Section title="Password">
        {user.auth_source === 'oidc' ? (
          <Text size="sm">
            You sign in with single sign-on, so your password is managed by your identity provider.
          </Text>
        ) : (
          <PasswordChangeForm
            submitLabel="Change password"
            onChanged={() =>
              notifications.show({
                color: 'teal',
                title: 'Password changed',
                message: 'Your other sessions have been signed out.',
              })
            }
          />
        )}
      </Section>

      <Section title="Recent sign-ins">
        <LoginHistory />
      </Section>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder padding="lg" component="section" aria-label={title}>
      <Stack gap="md">
        <Title order={3} size="h4">
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}
