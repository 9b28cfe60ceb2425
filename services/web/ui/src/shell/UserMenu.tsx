import { Badge, Button, Group, Menu, Text } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { IconLogout, IconUser } from '../components/icons';
import { here, loginPath } from '../auth/paths';
import { displayName, useMe } from '../auth/useMe';
import { useSignOut } from '../auth/useSignOut';

/** The signed-in user's name with Profile and Sign out, or a Sign in button for visitors. */
export function UserMenu() {
  const me = useMe();
  const location = useLocation();
  const signOut = useSignOut();

  if (me.data === undefined) {
    return null;
  }
  if (me.data === null) {
    return (
      <Button component={Link} to={loginPath(here(location))} variant="default">
        Sign in
      </Button>
    );
  }

  const user = me.data;
  const name = displayName(user);
  const isAdmin = user.role === 'admin';

  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="default"
          px="xs"
          aria-label={`Account menu: ${name}`}
          loading={signOut.isPending}
        >
          <Group gap={8} wrap="nowrap">
            <IconUser />
            <Text span inherit truncate="end" maw={140} visibleFrom="xs">
              {name}
            </Text>
            {isAdmin && (
              <Badge size="sm" variant="light" visibleFrom="xs">
                Admin
              </Badge>
            )}
          </Group>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          Signed in as {user.username}
          {isAdmin && ' (admin)'}
        </Menu.Label>
        <Menu.Item component={Link} to="/profile" leftSection={<IconUser />}>
          Profile
        </Menu.Item>
        <Menu.Item leftSection={<IconLogout />} onClick={() => signOut.mutate()}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
