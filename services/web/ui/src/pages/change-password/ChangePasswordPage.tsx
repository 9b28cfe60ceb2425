import { Anchor, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Navigate, useSearchParams } from 'react-router';
import { loginPath, nextPath } from '../../auth/paths';
import { PasswordChangeForm } from '../../auth/PasswordChangeForm';
import { meQueryKey, useMe } from '../../auth/useMe';
import { useSignOut } from '../../auth/useSignOut';
import { LoadError, Loading } from '../../components/QueryStatus';
import { CenteredLayout } from '../../shell/CenteredLayout';

/**
 * `/change-password`: where a user whose password was set by an admin (or generated at first
 * start) must choose their own before anything else.
 */
export function ChangePasswordPage() {
  const me = useMe();
  const [search] = useSearchParams();
  const queryClient = useQueryClient();
  const signOut = useSignOut();
  const next = nextPath(search);

  if (me.isPending) {
    return (
      <CenteredLayout title="Choose a new password">
        <Loading />
      </CenteredLayout>
    );
  }
  if (me.isError) {
    return (
      <CenteredLayout title="Choose a new password">
        <LoadError
          title="Could not reach the server"
          error={me.error}
          retrying={me.isRefetching}
          onRetry={() => void me.refetch()}
        />
      </CenteredLayout>
    );
  }
  if (me.data === null) {
    return <Navigate to={loginPath(next)} replace />;
  }
  if (!me.data.must_change_password) {
    return <Navigate to={next} replace />;
  }

  return (
    <CenteredLayout title="Choose a new password">
      <Text size="sm">
        Your password was set by an administrator. Choose your own before you continue; it is known
        only to you.
      </Text>
      <PasswordChangeForm
        submitLabel="Save and continue"
        // Once the server says the change is done, this page sends the user on to `next`.
        onChanged={() => void queryClient.invalidateQueries({ queryKey: meQueryKey })}
      />
      <Text size="sm" c="dimmed">
        Not you?{' '}
        <Anchor component="button" type="button" size="sm" onClick={() => signOut.mutate()}>
          Sign out
        </Anchor>
      </Text>
    </CenteredLayout>
  );
}
