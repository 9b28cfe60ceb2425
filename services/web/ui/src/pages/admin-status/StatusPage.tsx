import { Button, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { LoadError, Loading } from '../../components/QueryStatus';
import {
  ApplicationCard,
  BackupsCard,
  CleanupCard,
  DailyRunCard,
  DatabaseCard,
  NotConfiguredCard,
  QueuesCard,
  RecentErrorsCard,
  ServicesCard,
  StatisticsCard,
} from './StatusSections';
import { STATUS_REFRESH_MS, useStatus } from './useStatus';

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/**
 * `/admin/status`: the whole Status report, fetched again every 10 seconds while the page is
 * open. It never shows a path or a secret: the server leaves them out.
 */
export function StatusPage() {
  const status = useStatus({ live: true });

  return (
    <Stack gap="md" maw={1200}>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>Status</Title>
        {status.isSuccess && (
          <Group gap="sm">
            <Text size="sm" c="dimmed" role="status" aria-live="polite">
              {status.isFetching
                ? 'Refreshing…'
                : `Last refreshed ${clock.format(status.dataUpdatedAt)}`}
              {` · every ${STATUS_REFRESH_MS / 1000} seconds`}
            </Text>
            <Button
              size="xs"
              variant="default"
              loading={status.isFetching}
              onClick={() => void status.refetch()}
            >
              Refresh now
            </Button>
          </Group>
        )}
      </Group>

      {status.isPending ? (
        <Loading />
      ) : status.isError && !status.data ? (
        <LoadError
          title="Could not load the status"
          error={status.error}
          retrying={status.isRefetching}
          onRetry={() => void status.refetch()}
        />
      ) : (
        <>
          {status.isError && (
            <LoadError
              title="The last refresh failed; the figures below are older"
              error={status.error}
              retrying={status.isRefetching}
              onRetry={() => void status.refetch()}
            />
          )}
          <ServicesCard report={status.data} />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <ApplicationCard report={status.data} />
            <DatabaseCard report={status.data} />
            <StatisticsCard report={status.data} />
            <DailyRunCard report={status.data} />
            <BackupsCard report={status.data} />
            <CleanupCard report={status.data} />
            <NotConfiguredCard title="Bank sync" area={status.data.bank_sync} />
            <NotConfiguredCard title="Notifications" area={status.data.notifications} />
          </SimpleGrid>
          <QueuesCard report={status.data} />
          <RecentErrorsCard report={status.data} />
        </>
      )}
    </Stack>
  );
}
