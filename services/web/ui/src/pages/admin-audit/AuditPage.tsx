import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { errorMessage } from '../../api/errors';
import { LoadError, Loading } from '../../components/QueryStatus';
import { formatDateTime } from '../../format';
import { useAudit } from './useAudit';

/** `/admin/audit`: every admin action and sign-in, newest first, with "Load more". */
export function AuditPage() {
  const audit = useAudit();

  return (
    <Stack gap="md">
      <Title order={2}>Audit log</Title>
      <AuditTable audit={audit} />
    </Stack>
  );
}

function AuditTable({ audit }: { audit: ReturnType<typeof useAudit> }) {
  if (audit.isPending) {
    return <Loading />;
  }
  if (audit.isLoadingError) {
    return (
      <LoadError
        title="Could not load the audit log"
        error={audit.error}
        retrying={audit.isRefetching}
        onRetry={() => void audit.refetch()}
      />
    );
  }

  const entries = audit.data.pages.flatMap((page) => page.items);
  if (entries.length === 0) {
    return <Text c="dimmed">Nothing has been recorded yet.</Text>;
  }

  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={820} type="native">
        <Table striped aria-label="Audit log">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Time</Table.Th>
              <Table.Th>Actor</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Target</Table.Th>
              <Table.Th>Detail</Table.Th>
              <Table.Th>Address</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((entry) => (
              <Table.Tr key={entry.id}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.at)}</Table.Td>
                <Table.Td>{entry.actor ?? '—'}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {entry.action}
                  </Text>
                </Table.Td>
                <Table.Td>{entry.target ?? '—'}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{entry.detail ?? ''}</Table.Td>
                <Table.Td>{entry.ip ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      {audit.isFetchNextPageError && (
        <Text c="red" size="sm" role="alert">
          Could not load more: {errorMessage(audit.error)}
        </Text>
      )}
      <Group>
        {audit.hasNextPage ? (
          <Button
            variant="default"
            loading={audit.isFetchingNextPage}
            onClick={() => void audit.fetchNextPage()}
          >
            Load more
          </Button>
        ) : (
          <Text size="sm" c="dimmed">
            That is the whole log.
          </Text>
        )}
      </Group>
    </Stack>
  );
}
