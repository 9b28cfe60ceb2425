import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { TrackerRow } from '../../api/types';
import { formatFullDay } from '../../components/dates';
import { showFailure, showUndo } from '../../components/undo';
import { formatMoney } from '../../money/format';
import { restorePayments, useRemovePayments } from './useTracker';

/** Offered from a Paid badge: removes the occurrence's payments, with Undo. */
export function RemovePaymentsDialog({ row, onClose }: { row: TrackerRow; onClose: () => void }) {
  const remove = useRemovePayments();
  const count = row.payment_count === 1 ? 'its payment' : `its ${row.payment_count} payments`;

  // The row shows as unpaid at once and the dialog closes; the toasts come with the answer.
  const confirm = () => {
    void remove.mutateAsync(row).then(
      ({ ids }) =>
        showUndo({
          message: `The payments toward ${row.name} were removed.`,
          undone: `The payments toward ${row.name} are back.`,
          undo: () => restorePayments(ids),
        }),
      (error: unknown) => showFailure('The payments were not removed', error),
    );
    onClose();
  };

  return (
    <Modal opened onClose={onClose} title={`Remove payments: ${row.name}`}>
      <Stack gap="sm">
        <Text size="sm">
          Remove {count} ({formatMoney(row.paid_cents)}) toward the bill due{' '}
          {formatFullDay(row.due_date)}? It shows as unpaid again. You can undo this right after.
        </Text>
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={confirm}>
            Remove payments
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
