import {
  Alert,
  Button,
  Group,
  Modal,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { errorMessage, fieldError } from '../../api/errors';
import type { Payment, PaymentInput, PaymentMethod } from '../../api/types';
import { formatFullDay, toDay } from '../../components/dates';
import { showUndo } from '../../components/undo';
import { formatMoney, fromCents, toCents } from '../../money/format';
import { MoneyInput } from '../../money/MoneyInput';
import { METHOD_LABELS, METHODS } from '../bills/labels';
import { undoPayment, useRecordPayment, useUpdatePayment } from './useTracker';

const FIELD_OF_ERROR = {
  amount_cents: 'amount',
  paid_on: 'paid_on',
  method: 'method',
  note: 'note',
} as const;
const SERVER_FIELDS = Object.keys(FIELD_OF_ERROR) as (keyof typeof FIELD_OF_ERROR)[];

export interface PaymentTarget {
  bill_id: number;
  name: string;
  due_date: string;
  /** The amount to suggest: what is still owed. */
  suggested_cents: number;
}

interface PaymentDialogProps {
  target: PaymentTarget;
  /** An existing payment to edit; a new payment when absent. */
  payment?: Payment;
  /** The server's today, the default paid date. */
  today?: string;
  onClose: () => void;
}

/** Records a payment toward one occurrence (amount, date, method, note), or edits one. */
export function PaymentDialog({ target, payment, today, onClose }: PaymentDialogProps) {
  const record = useRecordPayment();
  const update = useUpdatePayment();
  const save = payment ? update : record;
  const form = useForm<{
    amount: number | string;
    paid_on: string;
    method: PaymentMethod;
    note: string;
  }>({
    initialValues: {
      amount: fromCents(payment?.amount_cents ?? target.suggested_cents),
      paid_on: payment?.paid_on ?? today ?? toDay(new Date()),
      method: payment?.method ?? 'bank transfer',
      note: payment?.note ?? '',
    },
    validate: {
      amount: (value) => {
        const cents = toCents(value);
        return cents === null || cents <= 0 ? 'Enter the amount paid' : null;
      },
      paid_on: (value) => (value === '' ? 'Enter the date it was paid' : null),
    },
  });

  const submit = form.onSubmit((values) => {
    const input: PaymentInput = {
      amount_cents: toCents(values.amount),
      paid_on: values.paid_on,
      method: values.method,
      note: values.note.trim() || null,
    };
    const onError = (error: Error) => {
      const field = fieldError(error, SERVER_FIELDS);
      if (field) {
        form.setFieldError(FIELD_OF_ERROR[field.field], field.message);
      }
    };
    if (payment) {
      update.mutate(
        { id: payment.id, change: input },
        {
          onSuccess: () => {
            notifications.show({ color: 'teal', message: 'Payment saved.' });
            onClose();
          },
          onError,
        },
      );
      return;
    }
    record.mutate(
      { ...input, bill_id: target.bill_id, due_date: target.due_date },
      {
        onSuccess: (created) => {
          showUndo({
            message: `${formatMoney(created.amount_cents)} paid toward ${target.name}.`,
            undone: `The payment toward ${target.name} was removed.`,
            undo: () => undoPayment(created.id),
          });
          onClose();
        },
        onError,
      },
    );
  });

  const shownInPlace = fieldError(save.error, SERVER_FIELDS) !== undefined;

  return (
    <Modal
      opened
      onClose={onClose}
      title={payment ? `Edit payment: ${target.name}` : `Record a payment: ${target.name}`}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Toward the bill due {formatFullDay(target.due_date)}.
          </Text>
          <MoneyInput label="Amount" required data-autofocus {...form.getInputProps('amount')} />
          <TextInput
            type="date"
            label="Paid on"
            required
            aria-invalid={form.errors.paid_on ? true : undefined}
            {...form.getInputProps('paid_on')}
          />
          <Select
            label="Method"
            data={METHODS.map((method) => ({ value: method, label: METHOD_LABELS[method] }))}
            allowDeselect={false}
            {...form.getInputProps('method')}
          />
          <Textarea label="Note" autosize minRows={2} maxRows={4} {...form.getInputProps('note')} />
          {save.isError && !shownInPlace && (
            <Alert color="red" role="alert" title="Not saved">
              <Text size="sm">{errorMessage(save.error)}</Text>
            </Alert>
          )}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {payment ? 'Save' : 'Record payment'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
