import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { errorMessage, fieldError } from '../../api/errors';
import type { OverrideBody, TrackerRow } from '../../api/types';
import { formatFullDay } from '../../components/dates';
import { showFailure } from '../../components/undo';
import { formatMoney, fromCents, toCents } from '../../money/format';
import { MoneyInput } from '../../money/MoneyInput';
import { useClearOverride, useSetOverride } from './useTracker';

const FIELD_OF_ERROR = {
  amount_cents: 'amount',
  skipped: 'skipped',
  note: 'note',
  snoozed_until: 'snoozed_until',
} as const;
const SERVER_FIELDS = Object.keys(FIELD_OF_ERROR) as (keyof typeof FIELD_OF_ERROR)[];

/**
 * The month override of one occurrence: another amount this time, skip it, a note, or snooze
 * it (no reminders or overdue alerts until a date). Empty fields are not overridden.
 */
export function OverrideDialog({ row, onClose }: { row: TrackerRow; onClose: () => void }) {
  const set = useSetOverride();
  const clear = useClearOverride();
  const current = row.override;
  const form = useForm({
    initialValues: {
      amount: (current?.amount_cents === null || current?.amount_cents === undefined
        ? ''
        : fromCents(current.amount_cents)) as number | string,
      skipped: current?.skipped ?? false,
      note: current?.note ?? '',
      snoozed_until: current?.snoozed_until ?? '',
    },
  });

  const submit = form.onSubmit((values) => {
    const body: OverrideBody = {
      amount_cents: toCents(values.amount),
      skipped: values.skipped ? true : null,
      note: values.note.trim() || null,
      snoozed_until: values.snoozed_until || null,
    };
    set.mutate(
      { row, body },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: `${row.name}: this month is changed.` });
          onClose();
        },
        onError: (error) => {
          const field = fieldError(error, SERVER_FIELDS);
          if (field) {
            form.setFieldError(FIELD_OF_ERROR[field.field], field.message);
          }
        },
      },
    );
  });

  const removeOverride = () =>
    clear.mutate(row, {
      onSuccess: () => {
        notifications.show({ color: 'teal', message: `${row.name}: back to the usual.` });
        onClose();
      },
      onError: (error) => showFailure('The change was not removed', error),
    });

  const shownInPlace = fieldError(set.error, SERVER_FIELDS) !== undefined;

  return (
    <Modal opened onClose={onClose} title={`This month: ${row.name}`}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Changes only the bill due {formatFullDay(row.due_date)}; other months keep the
            bill&apos;s own settings.
          </Text>
          <MoneyInput
            label="Amount this time"
            description={`Empty: the usual ${formatMoney(row.expected_cents)}`}
            data-autofocus
            {...form.getInputProps('amount')}
          />
          <Checkbox
            label="Skip this time (nothing is due)"
            {...form.getInputProps('skipped', { type: 'checkbox' })}
          />
          <Textarea label="Note" autosize minRows={2} maxRows={4} {...form.getInputProps('note')} />
          <TextInput
            type="date"
            label="Snooze until"
            description="No reminders or overdue alerts before this date"
            aria-invalid={form.errors.snoozed_until ? true : undefined}
            {...form.getInputProps('snoozed_until')}
          />
          {set.isError && !shownInPlace && (
            <Alert color="red" role="alert" title="Not saved">
              <Text size="sm">{errorMessage(set.error)}</Text>
            </Alert>
          )}
          <Group justify="space-between" mt="sm">
            {current ? (
              <Button
                variant="subtle"
                color="red"
                loading={clear.isPending}
                onClick={removeOverride}
              >
                Back to the usual
              </Button>
            ) : (
              <span />
            )}
            <Group gap="sm">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={set.isPending}>
                Save
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
