import {
  Alert,
  Anchor,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { errorMessage, fieldError } from '../../api/errors';
import { queryClient } from '../../api/queryClient';
import type { MonthOverride, OverrideBody, TrackerRow } from '../../api/types';
import { addDays, formatFullDay } from '../../components/dates';
import { STATUS_LABELS } from '../../components/OccurrenceStatus';
import { useFocusStaysWithin } from '../../components/useFocusStaysWithin';
import { showFailure, showUndo } from '../../components/undo';
import { formatMoney } from '../../money/format';
import { refreshMoneyData } from '../../money/refresh';
import { occurrencePath, useOverdue, useSetOverride } from './useTracker';

interface OverduePanelProps {
  today: string;
  onPay: (row: TrackerRow) => void;
}

/** Unpaid bills of earlier months (the last 90 days), each with pay, skip and snooze. */
export function OverduePanel({ today, onPay }: OverduePanelProps) {
  const overdue = useOverdue();
  const setOverride = useSetOverride();
  const [snoozing, setSnoozing] = useState<TrackerRow | null>(null);
  // A row paid, skipped or snoozed leaves the list: the keyboard goes on to the next one.
  const focus = useFocusStaysWithin<HTMLDivElement>([overdue.data?.length]);

  if (!overdue.data || overdue.data.length === 0) {
    return null;
  }

  const skip = (row: TrackerRow) =>
    setOverride.mutate(
      { row, body: { ...bodyOf(row.override), skipped: true } },
      {
        onSuccess: () =>
          showUndo({
            message: `${row.name} (${formatFullDay(row.due_date)}) skipped.`,
            undone: `${row.name} is due again.`,
            undo: () => putBack(row),
          }),
        onError: (error) => showFailure(`${row.name} was not skipped`, error),
      },
    );

  return (
    <Paper
      component="section"
      aria-labelledby="earlier-months"
      withBorder
      p="md"
      style={{ borderLeft: '4px solid var(--mantine-color-red-6)' }}
    >
      <Title order={3} size="h5" id="earlier-months" mb={4}>
        Still unpaid from earlier months
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Bills of the last 90 days that were not paid, skipped or snoozed.
      </Text>
      <Stack gap="xs" {...focus}>
        {overdue.data.map((row) => (
          <Paper key={`${row.bill_id}-${row.due_date}`} p="xs" withBorder>
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Stack gap={0}>
                <Anchor size="sm" fw={600} component={Link} to={`/bills/${row.bill_id}`}>
                  {row.name}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {STATUS_LABELS[row.status]} · due {formatFullDay(row.due_date)} ·{' '}
                  {formatMoney(row.remaining_cents)} owed
                </Text>
              </Stack>
              <Group gap={4} wrap="nowrap">
                <Button size="compact-sm" onClick={() => onPay(row)} aria-label={`Pay ${row.name}`}>
                  Pay
                </Button>
                <Button
                  size="compact-sm"
                  variant="default"
                  onClick={() => skip(row)}
                  aria-label={`Skip ${row.name}`}
                >
                  Skip
                </Button>
                <Button
                  size="compact-sm"
                  variant="default"
                  onClick={() => setSnoozing(row)}
                  aria-label={`Snooze ${row.name}`}
                >
                  Snooze
                </Button>
              </Group>
            </Group>
          </Paper>
        ))}
      </Stack>
      {snoozing && <SnoozeDialog row={snoozing} today={today} onClose={() => setSnoozing(null)} />}
    </Paper>
  );
}

function SnoozeDialog({
  row,
  today,
  onClose,
}: {
  row: TrackerRow;
  today: string;
  onClose: () => void;
}) {
  const setOverride = useSetOverride();
  const [until, setUntil] = useState(addDays(today, 7));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOverride.mutate(
      { row, body: { ...bodyOf(row.override), snoozed_until: until } },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            message: `${row.name} is snoozed until ${formatFullDay(until)}.`,
          });
          onClose();
        },
      },
    );
  };
  const error = setOverride.error;

  return (
    <Modal opened onClose={onClose} title={`Snooze ${row.name}`}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            No reminders or overdue alerts for the bill due {formatFullDay(row.due_date)} until:
          </Text>
          <TextInput
            type="date"
            label="Snooze until"
            required
            data-autofocus
            value={until}
            onChange={(event) => setUntil(event.currentTarget.value)}
            error={fieldError(error, ['snoozed_until'] as const)?.message}
          />
          {error && !fieldError(error, ['snoozed_until'] as const) && (
            <Alert color="red" role="alert" title="Not snoozed">
              <Text size="sm">{errorMessage(error)}</Text>
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={setOverride.isPending} disabled={until === ''}>
              Snooze
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** An override as the body that sets it again. */
function bodyOf(current: MonthOverride | null | undefined): OverrideBody {
  return {
    amount_cents: current?.amount_cents ?? null,
    skipped: current?.skipped ?? null,
    note: current?.note ?? null,
    snoozed_until: current?.snoozed_until ?? null,
  };
}

/** Undo of a skip: the override as it was before (none at all when there was none). */
async function putBack(row: TrackerRow) {
  await api.put(`${occurrencePath(row)}/override`, { body: bodyOf(row.override) });
  await refreshMoneyData(queryClient);
}
