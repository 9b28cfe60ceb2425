import { notifications } from '@mantine/notifications';
import type { Bill } from '../../api/types';
import { showFailure, showUndo } from '../../components/undo';
import { restoreBill, useDeleteBill, useDuplicateBill, useUpdateBill } from './useBills';

/** Duplicate, deactivate or reactivate, and delete with Undo: the same from every page. */
export function useBillActions() {
  const duplicate = useDuplicateBill();
  const update = useUpdateBill();
  const remove = useDeleteBill();

  return {
    duplicate: (bill: Bill, onDone?: (copy: Bill) => void) =>
      duplicate.mutate(bill.id, {
        onSuccess: (copy) => {
          notifications.show({ color: 'teal', message: `${copy.name} added.` });
          onDone?.(copy);
        },
        onError: (error) => showFailure(`${bill.name} was not duplicated`, error),
      }),

    setActive: (bill: Bill, active: boolean) =>
      update.mutate(
        { id: bill.id, change: { active } },
        {
          onSuccess: () =>
            notifications.show({
              color: 'teal',
              message: active
                ? `${bill.name} is active again.`
                : `${bill.name} is inactive: it drops out of future months.`,
            }),
          onError: (error) => showFailure(`${bill.name} was not changed`, error),
        },
      ),

    remove: (bill: Bill, onDone?: () => void) =>
      remove.mutate(bill.id, {
        onSuccess: () => {
          showUndo({
            message: `${bill.name} deleted.`,
            undone: `${bill.name} restored.`,
            undo: () => restoreBill(bill.id),
          });
          onDone?.();
        },
        onError: (error) => showFailure(`${bill.name} was not deleted`, error),
      }),

    busy: duplicate.isPending || update.isPending || remove.isPending,
  };
}
