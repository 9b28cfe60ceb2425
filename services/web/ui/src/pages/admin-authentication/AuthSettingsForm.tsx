import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import type { ReactNode } from 'react';
import type { AuthSettings, AuthSettingsUpdate, TokenAuthMethod } from '../../api/types';
import { errorMessage, fieldError, hasCode } from '../../api/errors';
import { PasswordField } from '../../components/PasswordField';
import { OidcTestResults } from './OidcTestResults';
import { useSaveAuthSettings, useTestProvider } from './useAuthSettings';

const CALLBACK_PATH = '/api/auth/oidc/callback';

interface FormValues {
  local_enabled: boolean;
  oidc_enabled: boolean;
  provider_name: string;
  issuer_url: string;
  client_id: string;
  /** Write-only: empty keeps the stored secret. */
  client_secret: string;
  token_auth_method: TokenAuthMethod;
  redirect_uri: string;
  scopes: string;
  groups_claim: string;
  admin_group: string;
  auto_provision: boolean;
  link_by_email: boolean;
}

const FIELDS = [
  'local_enabled',
  'oidc_enabled',
  'provider_name',
  'issuer_url',
  'client_id',
  'client_secret',
  'token_auth_method',
  'redirect_uri',
  'scopes',
  'groups_claim',
  'admin_group',
  'auto_provision',
  'link_by_email',
] as const;

/** The settings form with Save and "Test provider"; guard-rail refusals appear beside Save. */
export function AuthSettingsForm({ settings }: { settings: AuthSettings }) {
  const save = useSaveAuthSettings();
  const test = useTestProvider();
  const form = useForm<FormValues>({ initialValues: formValues(settings) });

  const submit = form.onSubmit((values) => {
    save.mutate(update(values), {
      onSuccess: (saved) => {
        const next = formValues(saved);
        form.setValues(next);
        form.resetDirty(next);
        notifications.show({ color: 'teal', message: 'Authentication settings saved.' });
      },
      onError: (error) => {
        const field = fieldError(error, FIELDS);
        if (field) {
          form.setFieldError(field.field, field.message);
        }
      },
    });
  });

  const shownInPlace = fieldError(save.error, FIELDS);
  const secretSet = settings.client_secret_set;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Section title="Sign-in methods">
          <Switch
            label="Sign in with username and password"
            {...form.getInputProps('local_enabled', { type: 'checkbox' })}
          />
          <Switch
            label="Sign in with single sign-on (OpenID Connect)"
            {...form.getInputProps('oidc_enabled', { type: 'checkbox' })}
          />
        </Section>

        <Section title="OpenID provider">
          <TextInput
            label="Provider name"
            description='Shown on the sign-in button, e.g. "Authentik"'
            {...form.getInputProps('provider_name')}
          />
          <TextInput
            label="Issuer URL"
            placeholder="https://auth.example.com/application/o/billtracker/"
            {...form.getInputProps('issuer_url')}
          />
          <TextInput
            label="Client ID"
            autoComplete="off"
            spellCheck={false}
            {...form.getInputProps('client_id')}
          />
          <PasswordField
            label="Client secret"
            description={
              secretSet
                ? 'A secret is set. Leave this empty to keep it, or type a new one to replace it.'
                : 'Not set yet.'
            }
            placeholder={secretSet ? '(set, hidden)' : '(not set)'}
            autoComplete="new-password"
            {...form.getInputProps('client_secret')}
          />
          <Select
            label="Token endpoint authentication"
            data={[
              { value: 'client_secret_basic', label: 'client_secret_basic (HTTP Basic)' },
              { value: 'client_secret_post', label: 'client_secret_post (form body)' },
            ]}
            allowDeselect={false}
            {...form.getInputProps('token_auth_method')}
          />
          <TextInput
            label="Redirect URI"
            description={
              <>
                Register this at the provider. It ends in <code>{CALLBACK_PATH}</code>.{' '}
                <Anchor
                  component="button"
                  type="button"
                  size="xs"
                  onClick={() =>
                    form.setFieldValue('redirect_uri', window.location.origin + CALLBACK_PATH)
                  }
                >
                  Use this server&apos;s address
                </Anchor>
              </>
            }
            placeholder={`https://bills.example.com${CALLBACK_PATH}`}
            {...form.getInputProps('redirect_uri')}
          />
          <TextInput
            label="Scopes"
            placeholder="openid email profile groups"
            {...form.getInputProps('scopes')}
          />
        </Section>

        <Section title="Accounts and roles">
          <TextInput
            label="Groups claim"
            placeholder="groups"
            description="The ID token claim that lists the user's groups"
            {...form.getInputProps('groups_claim')}
          />
          <TextInput
            label="Admin group"
            description="Members are admins; checked at every single sign-on"
            {...form.getInputProps('admin_group')}
          />
          <Switch
            label="Create an account on first single sign-on"
            {...form.getInputProps('auto_provision', { type: 'checkbox' })}
          />
          <Switch
            label="Link to an existing account with the same verified email"
            {...form.getInputProps('link_by_email', { type: 'checkbox' })}
          />
        </Section>

        {save.isError && !shownInPlace && (
          <Alert
            color={hasCode(save.error, 'GUARD_RAIL') ? 'yellow' : 'red'}
            role="alert"
            title="Not saved"
          >
            <Text size="sm">{errorMessage(save.error)}</Text>
          </Alert>
        )}
        {test.isError && (
          <Alert color="red" role="alert" title="Could not test the provider">
            <Text size="sm">{errorMessage(test.error)}</Text>
          </Alert>
        )}
        {test.isSuccess && <OidcTestResults report={test.data} />}

        <Group>
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
          <Button
            variant="default"
            loading={test.isPending}
            onClick={() => test.mutate(update(form.getValues()))}
          >
            Test provider
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder padding="lg" component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={3} size="h4">
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}

function formValues(settings: AuthSettings): FormValues {
  return {
    local_enabled: settings.local_enabled,
    oidc_enabled: settings.oidc_enabled,
    provider_name: settings.provider_name ?? '',
    issuer_url: settings.issuer_url ?? '',
    client_id: settings.client_id ?? '',
    client_secret: '',
    token_auth_method: settings.token_auth_method,
    redirect_uri: settings.redirect_uri ?? '',
    scopes: settings.scopes ?? '',
    groups_claim: settings.groups_claim ?? '',
    admin_group: settings.admin_group ?? '',
    auto_provision: settings.auto_provision,
    link_by_email: settings.link_by_email,
  };
}

/**
 * The PUT body. Empty text clears the stored value, so the environment's applies again; an empty
 * secret is left out, which keeps the stored one.
 */
function update(values: FormValues): AuthSettingsUpdate {
  const text = (value: string) => value.trim();
  return {
    local_enabled: values.local_enabled,
    oidc_enabled: values.oidc_enabled,
    provider_name: text(values.provider_name),
    issuer_url: text(values.issuer_url),
    client_id: text(values.client_id),
    ...(values.client_secret === '' ? {} : { client_secret: values.client_secret }),
    token_auth_method: values.token_auth_method,
    redirect_uri: text(values.redirect_uri),
    scopes: text(values.scopes),
    groups_claim: text(values.groups_claim),
    admin_group: text(values.admin_group),
    auto_provision: values.auto_provision,
    link_by_email: values.link_by_email,
  };
}
