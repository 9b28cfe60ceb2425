import { Alert, Button, Divider, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Navigate, useSearchParams } from 'react-router';
import type { AuthMode } from '../../api/types';
import { errorMessage, fieldError } from '../../api/errors';
import { changePasswordPath, nextPath } from '../../auth/paths';
import { useAuthMode } from '../../auth/useAuthMode';
import { useMe } from '../../auth/useMe';
import { PasswordField } from '../../components/PasswordField';
import { LoadError, Loading } from '../../components/QueryStatus';
import { CenteredLayout } from '../../shell/CenteredLayout';
import { useSignIn } from './useSignIn';

/** `/login`: the sign-in methods the server offers, then back to where the user was going. */
export function LoginPage() {
  const me = useMe();
  const [search] = useSearchParams();
  const next = nextPath(search);

  if (me.data) {
    return <Navigate to={afterSignIn(next, me.data.must_change_password)} replace />;
  }

  return (
    <CenteredLayout title="Sign in">
      <ProviderError code={search.get('error')} message={search.get('message')} />
      <SignInMethods next={next} />
    </CenteredLayout>
  );
}

/** Where a freshly signed-in user goes: a forced password change comes first. */
function afterSignIn(next: string, mustChangePassword: boolean): string {
  return mustChangePassword ? changePasswordPath(next) : next;
}

/** The failure the server reported after a single sign-on attempt, if any. */
function ProviderError({ code, message }: { code: string | null; message: string | null }) {
  if (code === null && message === null) {
    return null;
  }
  return (
    <Alert color="red" title="Single sign-on did not work" role="alert">
      {message ?? `The sign-in was refused (${code}). Try again or ask your administrator.`}
    </Alert>
  );
}

function SignInMethods({ next }: { next: string }) {
  const mode = useAuthMode();

  if (mode.isPending) {
    return <Loading />;
  }
  if (mode.isError) {
    return (
      <LoadError
        title="Could not reach the server"
        error={mode.error}
        retrying={mode.isRefetching}
        onRetry={() => void mode.refetch()}
      />
    );
  }

  const { local, oidc } = mode.data;
  if (!local && !oidc.enabled) {
    return (
      <Alert color="yellow" title="Signing in is turned off" role="alert">
        This server has no sign-in method turned on. Contact your administrator.
      </Alert>
    );
  }

  return (
    <Stack gap="md">
      {local && <PasswordSignIn />}
      {local && oidc.enabled && <Divider label="or" labelPosition="center" />}
      {oidc.enabled && <SingleSignOnButton oidc={oidc} next={next} />}
    </Stack>
  );
}

/** A plain link: the browser leaves the app for the provider and comes back to `next`. */
function SingleSignOnButton({ oidc, next }: { oidc: AuthMode['oidc']; next: string }) {
  const url = new URL(oidc.login_url, window.location.origin);
  url.searchParams.set('return_to', next);

  return (
    <Button component="a" href={url.pathname + url.search} variant="default" fullWidth>
      Sign in with {oidc.provider_name ?? 'single sign-on'}
    </Button>
  );
}

function PasswordSignIn() {
  // On success the page re-renders signed in and moves on to `next` (see LoginPage).
  const signIn = useSignIn();
  const form = useForm({
    initialValues: { username: '', password: '' },
    validate: {
      username: (value) => (value.trim() === '' ? 'Enter your username' : null),
      password: (value) => (value === '' ? 'Enter your password' : null),
    },
  });

  const submit = form.onSubmit((credentials) => {
    signIn.mutate(
      { username: credentials.username.trim(), password: credentials.password },
      {
        onError: (error) => {
          const field = fieldError(error, ['username', 'password'] as const);
          if (field) {
            form.setFieldError(field.field, field.message);
          }
        },
      },
    );
  });

  const shownInPlace = fieldError(signIn.error, ['username', 'password'] as const);

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label="Username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          data-autofocus
          autoFocus
          {...form.getInputProps('username')}
        />
        <PasswordField
          label="Password"
          autoComplete="current-password"
          {...form.getInputProps('password')}
        />
        {signIn.isError && !shownInPlace && (
          <Alert color="red" role="alert" title="Not signed in">
            <Text size="sm">{errorMessage(signIn.error)}</Text>
          </Alert>
        )}
        <Button type="submit" loading={signIn.isPending} fullWidth>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
