import { Stack, Text, Title } from '@mantine/core';
import { LoadError, Loading } from '../../components/QueryStatus';
import { AuthSettingsForm } from './AuthSettingsForm';
import { useAuthSettings } from './useAuthSettings';

/** `/admin/authentication`: local sign-in and single sign-on through an OpenID provider. */
export function AuthenticationPage() {
  const settings = useAuthSettings();

  return (
    <Stack gap="md" maw={760}>
      <Title order={2}>Authentication</Title>
      <Text size="sm" c="dimmed">
        How people sign in. An empty field falls back to the server&apos;s environment setting.
      </Text>
      {settings.isPending && <Loading />}
      {settings.isError && (
        <LoadError
          title="Could not load the settings"
          error={settings.error}
          retrying={settings.isRefetching}
          onRetry={() => void settings.refetch()}
        />
      )}
      {settings.isSuccess && <AuthSettingsForm settings={settings.data} />}
    </Stack>
  );
}
