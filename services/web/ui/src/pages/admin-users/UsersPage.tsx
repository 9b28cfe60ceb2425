import { ActionIcon, Badge, Button, Group, Menu, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { User } from '../../api/types';
import { useMe } from '../../auth/useMe';
import { ActionsHeader } from '../../components/ActionsHeader';
import { IconDots } from '../../components/icons';
import { LoadError, Loading } from '../../components/QueryStatus';
import { CreateUserDialog } from './CreateUserDialog';
import { DeleteUserDialog } from './DeleteUserDialog';
import { EditUserDialog } from './EditUserDialog';
import { lastSignIn, SOURCE_LABELS } from './labels';
import { ResetPasswordDialog } from './ResetPasswordDialog';
import { useUsers } from './useUsers';

type Dialog =
  { kind: 'create' } | { kind: 'edit' | 'reset' | 'delete'; user: User } | { kind: 'none' };

/**
 * `/admin/users`: every account, with create, edit, reset password and delete. On narrow
 * screens the table keeps the columns needed to pick a user; Edit shows the others.
 */
export function UsersPage() {
  const [dialog, setDialog] = useState<Dialog>({ kind: 'none' });
  const close = () => setDialog({ kind: 'none' });

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        <Button onClick={() => setDialog({ kind: 'create' })}>Create user</Button>
      </Group>

      <UsersTable onAction={setDialog} />

      <CreateUserDialog opened={dialog.kind === 'create'} onClose={close} />
      {dialog.kind === 'edit' && <EditUserDialog user={dialog.user} onClose={close} />}
      {dialog.kind === 'reset' && <ResetPasswordDialog user={dialog.user} onClose={close} />}
      {dialog.kind === 'delete' && <DeleteUserDialog user={dialog.user} onClose={close} />}
    </Stack>
  );
}

function UsersTable({ onAction }: { onAction: (dialog: Dialog) => void }) {
  const users = useUsers();

  if (users.isPending) {
    return <Loading />;
  }
  if (users.isError) {
    return (
      <LoadError
        title="Could not load the users"
        error={users.error}
        retrying={users.isRefetching}
        onRetry={() => void users.refetch()}
      />
    );
  }

  return (
    <Table.ScrollContainer minWidth={340} type="native">
      <Table striped highlightOnHover aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Username</Table.Th>
            <Table.Th visibleFrom="md">Display name</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th visibleFrom="md">Signs in with</Table.Th>
            <Table.Th visibleFrom="md">Last sign-in</Table.Th>
            <ActionsHeader />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.data.map((user) => (
            <UserRow key={user.id} user={user} onAction={onAction} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function UserRow({ user, onAction }: { user: User; onAction: (dialog: Dialog) => void }) {
  const isSelf = useMe().data?.id === user.id;

  return (
    <Table.Tr>
      <Table.Td fw={600}>{user.username}</Table.Td>
      <Table.Td visibleFrom="md">{user.display_name ?? '—'}</Table.Td>
      <Table.Td>
        {user.role === 'admin' ? (
          <Badge variant="light">Admin</Badge>
        ) : (
          <Badge variant="light" color="gray">
            User
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        {user.active ? (
          <Text size="sm">Active</Text>
        ) : (
          <Badge variant="light" color="red">
            Inactive
          </Badge>
        )}
        {user.must_change_password && (
          <Text size="xs" c="dimmed">
            must change password
          </Text>
        )}
      </Table.Td>
      <Table.Td visibleFrom="md">{SOURCE_LABELS[user.auth_source]}</Table.Td>
      <Table.Td visibleFrom="md">{lastSignIn(user.last_login_at)}</Table.Td>
      <Table.Td>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${user.username}`}>
              <IconDots />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item onClick={() => onAction({ kind: 'edit', user })}>Edit</Menu.Item>
            {isSelf ? (
              // Resetting would end this very session before the new password could be read.
              <Menu.Item component={Link} to="/profile">
                Change my password
              </Menu.Item>
            ) : (
              <Menu.Item onClick={() => onAction({ kind: 'reset', user })}>
                Reset password
              </Menu.Item>
            )}
            <Menu.Divider />
            <Menu.Item color="red" onClick={() => onAction({ kind: 'delete', user })}>
              Delete
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Table.Td>
    </Table.Tr>
  );
}
