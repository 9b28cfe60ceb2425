import { Alert, Button, Checkbox, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import type { CleanupResult, CleanupTask, CleanupTaskCount } from '../../api/types';
import { LoadError, Loading } from '../../components/QueryStatus';
import { Working } from '../../components/Working';
import { formatBytes } from '../../format';
import { useCleanupPreview, useRunCleanup } from './useCleanup';

/** "3 (1.2 kB)"; rows removed from the database show "about" their size, an estimate. */
function amount({ count, bytes, bytes_estimated }: CleanupTaskCount): string {
  if (bytes <= 0) {
    return String(count);
  }
  return `${count} (${bytes_estimated ? 'about ' : ''}${formatBytes(bytes)})`;
}

/**
 * `/admin/cleanup`: what each cleanup task would remove now; the admin picks tasks, confirms,
 * and sees what each removed. The janitor runs the same tasks every day.
 */
export function CleanupPage() {
  const preview = useCleanupPreview();
  const run = useRunCleanup();
  const [chosen, setChosen] = useState<Set<CleanupTask>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<CleanupResult | null>(null);

  const toggle = (task: CleanupTask, on: boolean) =>
    setChosen((previous) => {
      const next = new Set(previous);
      if (on) {
        next.add(task);
      } else {
        next.delete(task);
      }
      return next;
    });

  const start = () =>
    run.mutate([...chosen], {
      onSuccess: (answer) => {
        setResult(answer);
        setChosen(new Set());
        setConfirming(false);
      },
    });

  const tasks = preview.data ?? [];
  const picked = tasks.filter((task) => chosen.has(task.task));

  return (
    <Stack gap="md" maw={900}>
      <Stack gap={4}>
        <Title order={2}>Cleanup</Title>
        <Text size="sm" c="dimmed">
          What each task would remove right now. The janitor runs them every day; run any of them
          here when disk space or old records need it sooner.
        </Text>
      </Stack>

      {result && (
        <Alert
          color="teal"
          role="status"
          title="Cleanup finished"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setResult(null)}
        >
          <Table aria-label="Removed" withRowBorders={false} verticalSpacing={2}>
            <Table.Tbody>
              {result.removed.map((task) => (
                <Table.Tr key={task.task}>
                  <Table.Td>{task.label}</Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {amount(task)} removed
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Alert>
      )}

      {preview.isPending ? (
        <Loading label="Counting what could be removed…" />
      ) : preview.isError ? (
        <LoadError
          title="Could not count what cleanup would remove"
          error={preview.error}
          retrying={preview.isRefetching}
          onRetry={() => void preview.refetch()}
        />
      ) : (
        <>
          <Table.ScrollContainer minWidth={340} type="native">
            <Table aria-label="Cleanup tasks" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40}>
                    <Checkbox
                      aria-label="Choose every task"
                      checked={tasks.length > 0 && chosen.size === tasks.length}
                      indeterminate={chosen.size > 0 && chosen.size < tasks.length}
                      onChange={(event) =>
                        setChosen(
                          event.currentTarget.checked
                            ? new Set(tasks.map((task) => task.task))
                            : new Set(),
                        )
                      }
                    />
                  </Table.Th>
                  <Table.Th>Task</Table.Th>
                  <Table.Th ta="right">Would remove</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tasks.map((task) => (
                  <Table.Tr key={task.task}>
                    <Table.Td>
                      <Checkbox
                        aria-label={task.label}
                        checked={chosen.has(task.task)}
                        onChange={(event) => toggle(task.task, event.currentTarget.checked)}
                      />
                    </Table.Td>
                    <Table.Td>{task.label}</Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {amount(task)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between">
            <Button
              variant="subtle"
              loading={preview.isFetching}
              onClick={() => void preview.refetch()}
            >
              Count again
            </Button>
            <Button disabled={chosen.size === 0} onClick={() => setConfirming(true)}>
              {chosen.size === 0
                ? 'Run cleanup'
                : `Run ${chosen.size} ${chosen.size === 1 ? 'task' : 'tasks'}`}
            </Button>
          </Group>
        </>
      )}

      <Modal
        opened={confirming}
        onClose={run.isPending ? () => undefined : () => setConfirming(false)}
        withCloseButton={!run.isPending}
        title="Run cleanup"
      >
        <Stack gap="sm">
          <Text size="sm">These tasks remove, for good:</Text>
          <Table aria-label="Chosen tasks" withRowBorders={false} verticalSpacing={2}>
            <Table.Tbody>
              {picked.map((task) => (
                <Table.Tr key={task.task}>
                  <Table.Td>{task.label}</Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {amount(task)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed">
            The counts are from the preview; the run removes what qualifies when it runs.
          </Text>
          {run.isPending && <Working label="Cleaning up…" />}
          {run.isError && (
            <Alert color="red" role="alert" title="Cleanup did not run">
              <Text size="sm">{errorMessage(run.error)}</Text>
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" disabled={run.isPending} onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" loading={run.isPending} onClick={start}>
              Remove
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
