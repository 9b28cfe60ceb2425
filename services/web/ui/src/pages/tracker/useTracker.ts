import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { queryClient as appQueryClient } from '../../api/queryClient';
import type {
  BulkPaid,
  BulkPay,
  OverrideAnswer,
  OverrideBody,
  Payment,
  PaymentIds,
  PaymentInput,
  PaymentMethod,
  Tracker,
  TrackerRow,
} from '../../api/types';
import { refreshMoneyData } from '../../money/refresh';
import type { Month } from './month';

const overdueQueryKey = ['tracker', 'overdue'] as const;

/**
 * One month of the tracker, or the current month (in the server's time zone) for null. The
 * month on screen stays while the next one loads.
 */
export function useTracker(month: Month | null) {
  return useQuery({
    queryKey: ['tracker', month ? `${month.year}-${month.month}` : 'current'],
    queryFn: ({ signal }) =>
      api.get<Tracker>(
        month ? `/api/tracker?year=${month.year}&month=${month.month}` : '/api/tracker',
        { signal },
      ),
    placeholderData: keepPreviousData,
  });
}

/** Unpaid occurrences of earlier months (the last 90 days), not snoozed. */
export function useOverdue() {
  return useQuery({
    queryKey: overdueQueryKey,
    queryFn: ({ signal }) => api.get<TrackerRow[]>('/api/tracker/overdue', { signal }),
  });
}

/** The path of one occurrence: a bill and one of its due dates. */
export function occurrencePath(row: Pick<TrackerRow, 'bill_id' | 'due_date'>): string {
  return `/api/occurrences/${row.bill_id}/${row.due_date}`;
}

/**
 * Quick pay: records the remaining amount today. The row shows as paid at once and goes back
 * if the server refuses; the totals are the server's, loaded again afterwards.
 */
export function useQuickPay() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ row, method }: { row: TrackerRow; method?: PaymentMethod }) =>
      api.post<Payment>(`${occurrencePath(row)}/quick-pay`, {
        body: method ? { method } : {},
      }),
    onMutate: async ({ row }) => {
      await queryClient.cancelQueries({ queryKey: ['tracker'] });
      const before = queryClient.getQueriesData<Tracker | TrackerRow[]>({ queryKey: ['tracker'] });
      const paid = (r: TrackerRow): TrackerRow =>
        r.bill_id === row.bill_id && r.due_date === row.due_date
          ? {
              ...r,
              status: 'paid',
              paid_cents: r.amount_due_cents,
              remaining_cents: 0,
              payment_count: r.payment_count + 1,
            }
          : r;
      for (const [key, data] of before) {
        if (Array.isArray(data)) {
          // The overdue list drops a paid occurrence.
          queryClient.setQueryData(
            key,
            data.filter((r) => !(r.bill_id === row.bill_id && r.due_date === row.due_date)),
          );
        } else if (data) {
          queryClient.setQueryData(key, {
            ...data,
            buckets: data.buckets.map((b) => ({ ...b, rows: b.rows.map(paid) })),
          });
        }
      }
      return { before };
    },
    onError: (_error, _variables, context) => {
      for (const [key, data] of context?.before ?? []) {
        queryClient.setQueryData(key, data);
      }
    },
    onSettled: () => refreshMoneyData(queryClient),
  });
}

export function useRecordPayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: PaymentInput) => api.post<Payment>('/api/payments', { body: input }),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

export function useUpdatePayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: PaymentInput }) =>
      api.patch<Payment>(`/api/payments/${id}`, { body: change }),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

export function useDeletePayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete<void>(`/api/payments/${id}`),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

/** Removes every payment of an occurrence (a click on its Paid badge); returns their ids. */
export function useRemovePayments() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (row: TrackerRow) => api.delete<PaymentIds>(`${occurrencePath(row)}/payments`),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

/** Sets the month override of an occurrence; fields left out are not overridden. */
export function useSetOverride() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ row, body }: { row: TrackerRow; body: OverrideBody }) =>
      api.put<OverrideAnswer>(`${occurrencePath(row)}/override`, { body }),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

export function useClearOverride() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (row: TrackerRow) => api.delete<OverrideAnswer>(`${occurrencePath(row)}/override`),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

/** "Pay all due" in one bucket: a dry run first for the confirmation, then the payments. */
export function usePayAll() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkPay) => api.post<BulkPaid>('/api/payments/bulk', { body }),
    onSuccess: (_answer, body) => (body.dry_run ? undefined : refreshMoneyData(queryClient)),
  });
}

// The Undo actions run from a toast, outside React's providers.

/** Undo of a quick pay or a recorded payment. */
export async function undoPayment(id: number) {
  await api.delete<void>(`/api/payments/${id}`);
  await refreshMoneyData(appQueryClient);
}

/** Undo of "Pay all due": deletes every payment it made, at once. */
export async function undoPayments(ids: number[]) {
  await api.post<PaymentIds>('/api/payments/bulk-delete', { body: { ids } });
  await refreshMoneyData(appQueryClient);
}

/** Undo of removing an occurrence's payments. */
export async function restorePayments(ids: number[]) {
  await api.post<Payment[]>('/api/payments/bulk-restore', { body: { ids } });
  await refreshMoneyData(appQueryClient);
}

/** Undo of a payment deleted from a bill's history. */
export async function restorePayment(id: number) {
  await api.post<Payment>(`/api/payments/${id}/restore`);
  await refreshMoneyData(appQueryClient);
}
