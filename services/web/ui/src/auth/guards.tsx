import { Button, Card, Stack, Text, Title } from '@mantine/core';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { LoadError, Loading } from '../components/QueryStatus';
import { changePasswordPath, here, loginPath } from './paths';
import { useMe } from './useMe';

/**
 * Pages below this route need a signed-in user: anyone else goes to the sign-in page and comes
 * back here afterwards; a user who must choose a new password does that first.
 */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();

  if (me.isPending) {
    return <Loading />;
  }
  if (me.isError) {
    return (
      <LoadError
        title="Could not reach the server"
        error={me.error}
        retrying={me.isRefetching}
        onRetry={() => void me.refetch()}
      />
    );
  }
  if (me.data === null) {
    return <Navigate to={loginPath(here(location))} replace />;
  }
  if (me.data.must_change_password) {
    return <Navigate to={changePasswordPath(here(location))} replace />;
  }
  return <Outlet />;
}

/** Pages below this route are for admins; place it inside `RequireAuth`. */
export function RequireAdmin() {
  const me = useMe();

  if (me.data?.role !== 'admin') {
    return (
      <Card withBorder padding="lg" maw={640}>
        <Stack gap="sm" align="flex-start">
          <Title order={2}>For admins only</Title>
          <Text>This page is for administrators. Ask one if you need something changed here.</Text>
          <Button component={Link} to="/">
            Go to the home page
          </Button>
        </Stack>
      </Card>
    );
  }
  return <Outlet />;
}
