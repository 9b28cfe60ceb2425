import { Badge, Table, Text } from '@mantine/core';
import { LoadError, Loading } from '../../components/QueryStatus';
import { formatDateTime } from '../../format';
import { useLoginHistory } from './useProfile';

/** The last ten sign-ins: when, how, whether it worked and from where. */
export function LoginHistory() {
  const logins = useLoginHistory();

  if (logins.isPending) {
    return <Loading />;
  }
  if (logins.isError) {
    return (
      <LoadError
        title="Could not load your sign-ins"
        error={logins.error}
        retrying={logins.isRefetching}
        onRetry={() => void logins.refetch()}
      />
    );
  }
  if (logins.data.length === 0) {
    return <Text c="dimmed">No sign-ins recorded yet.</Text>;
  }

  return (
    <Table.ScrollContainer minWidth={480} type="native">
      <Table striped aria-label="Recent sign-ins">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Method</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Address</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {logins.data.map((login, index) => (
            // Two attempts can share a second; the list is replaced whole, never reordered.
            <Table.Tr key={`${index}-${login.at}`}>
              <Table.Td title={login.user_agent ?? undefined}>{formatDateTime(login.at)}</Table.Td>
              <Table.Td>{login.method === 'oidc' ? 'Single sign-on' : 'Password'}</Table.Td>
              <Table.Td>
                {login.success ? (
                  <Badge color="teal" variant="light">
                    Succeeded
                  </Badge>
                ) : (
                  <Badge color="red" variant="light">
                    Failed
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{login.ip ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
