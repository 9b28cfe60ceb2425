import { notifications } from '@mantine/notifications';
import type { Bill } from '../../api/types';
import { showFailure, showUndo } from '../../components/undo';
import { restoreBill, useDeleteBill, useDuplicateBill, useSetBillActive } from './useBills';

/**
 * Duplicate, deactivate or reactivate, and delete with Undo: the same from every page. The
 * last two show at once and go back, with a toast that says why, when the server refuses.
 */
export function useBillActions() {
  const duplicate = useDuplicateBill();
  const setActive = useSetBillActive();
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
      setActive.mutate(
        { bill, active },
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

    /**
     * `onDone` runs at once, as the bill leaves the lists; the toasts come when the server has
     * answered, even if the page that asked is gone by then.
     */
    remove: (bill: Bill, onDone?: () => void) => {
      void remove.mutateAsync(bill).then(
        () =>
          showUndo({
            message: `${bill.name} deleted.`,
            undone: `${bill.name} restored.`,
            undo: () => restoreBill(bill.id),
          }),
        (error: unknown) => showFailure(`${bill.name} was not deleted`, error),
      );
      onDone?.();
    },

    busy: duplicate.isPending || setActive.isPending || remove.isPending,
  };
}
