import { AppShell, Burger, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, matchPath, Outlet, useLocation } from 'react-router';
import type { User } from '../api/types';
import { useMe } from '../auth/useMe';
import { QuickFinder } from '../components/QuickFinder';
import { ColorSchemeToggle } from './ColorSchemeToggle';
import { navigation, type NavItem } from './navigation';
import { UserMenu } from './UserMenu';

/** Header, navbar (a drawer behind the burger on phones) and the current page. */
export function AppLayout() {
  const [navbarOpened, { toggle: toggleNavbar, close: closeNavbar }] = useDisclosure();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navbarOpened}
              onClick={toggleNavbar}
              hiddenFrom="sm"
              size="sm"
              aria-label={navbarOpened ? 'Close navigation' : 'Open navigation'}
            />
            <Title order={1} size="h3">
              BillTracker
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ColorSchemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <NavigationLinks onNavigate={closeNavbar} />
      </AppShell.Navbar>

      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
      <QuickFinder />
    </AppShell>
  );
}

function NavigationLinks({ onNavigate }: { onNavigate: () => void }) {
  const { pathname } = useLocation();
  const me = useMe();
  const visible = navigation.filter((item) => mayVisit(item, me.data));
  const ungrouped = visible.filter((item) => item.group === undefined);
  const groups = [...new Set(visible.flatMap((item) => item.group ?? []))];

  const link = (item: NavItem) => (
    <NavLink
      key={item.path}
      component={Link}
      to={item.path}
      label={item.label}
      leftSection={item.icon}
      active={matchPath({ path: item.path, end: item.path === '/' }, pathname) !== null}
      onClick={onNavigate}
    />
  );

  return (
    <Stack gap={0}>
      {ungrouped.map(link)}
      {groups.map((group) => (
        <Stack key={group} gap={0} mt="sm" role="group" aria-label={group}>
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" py={4}>
            {group}
          </Text>
          {visible.filter((item) => item.group === group).map(link)}
        </Stack>
      ))}
    </Stack>
  );
}

/** Whether the link leads anywhere for this user (`null`: nobody is signed in). */
function mayVisit(item: NavItem, user: User | null | undefined): boolean {
  switch (item.access ?? 'user') {
    case 'public':
      return true;
    case 'user':
      return !!user;
    case 'admin':
      return user?.role === 'admin';
  }
}
