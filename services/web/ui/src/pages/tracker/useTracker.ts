import {
  keepPreviousData,
  type QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
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

type TrackerCaches = [readonly unknown[], Tracker | TrackerRow[] | undefined][];

/**
 * Shows the rows picked by `picks` as `change` makes them in every cached tracker month, and
 * drops them from the overdue list when `leavesOverdue`. Returns the caches as they were, for
 * the rollback of a refused change; the server's answer replaces all of it afterwards.
 */
async function changeRowsAtOnce(
  queryClient: QueryClient,
  picks: (row: TrackerRow, tracker: Tracker) => boolean,
  change: (row: TrackerRow) => TrackerRow,
  leavesOverdue: (row: TrackerRow) => boolean,
): Promise<TrackerCaches> {
  await queryClient.cancelQueries({ queryKey: ['tracker'] });
  const before = queryClient.getQueriesData<Tracker | TrackerRow[]>({ queryKey: ['tracker'] });
  for (const [key, data] of before) {
    if (Array.isArray(data)) {
      queryClient.setQueryData(
        key,
        data.filter((row) => !leavesOverdue(row)),
      );
    } else if (data) {
      queryClient.setQueryData(key, {
        ...data,
        buckets: data.buckets.map((bucket) => ({
          ...bucket,
          rows: bucket.rows.map((row) => (picks(row, data) ? change(row) : row)),
        })),
      });
    }
  }
  return before;
}

function rollBack(queryClient: QueryClient, before: TrackerCaches | undefined) {
  for (const [key, data] of before ?? []) {
    queryClient.setQueryData(key, data);
  }
}

const sameOccurrence = (a: TrackerRow, b: TrackerRow) =>
  a.bill_id === b.bill_id && a.due_date === b.due_date;

/** A row as it looks once what is still owed has been paid. */
const paidInFull = (row: TrackerRow): TrackerRow => ({
  ...row,
  status: 'paid',
  paid_cents: row.amount_due_cents,
  remaining_cents: 0,
  payment_count: row.payment_count + 1,
});

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
    onMutate: async ({ row }) => ({
      before: await changeRowsAtOnce(
        queryClient,
        (r) => sameOccurrence(r, row),
        paidInFull,
        (r) => sameOccurrence(r, row),
      ),
    }),
    onError: (_error, _variables, context) => rollBack(queryClient, context?.before),
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

/**
 * "Autopay failed": the bank did not pay. The server removes the autopay payment, the row is
 * owed again with its "Autopay failed" mark, and the daily run does not record it again.
 * Undo restores the payment (`restorePayment`), which clears the mark.
 */
export function useMarkAutopayFailed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (paymentId: number) =>
      api.post<TrackerRow>(`/api/payments/${paymentId}/autopay-failed`),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

/**
 * Sets the month override of an occurrence; fields left out are not overridden. Skipping shows
 * at once (and goes back if refused); other changes wait for the server's figures.
 */
export function useSetOverride() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ row, body }: { row: TrackerRow; body: OverrideBody }) =>
      api.put<OverrideAnswer>(`${occurrencePath(row)}/override`, { body }),
    onMutate: async ({ row, body }) =>
      body.skipped
        ? {
            before: await changeRowsAtOnce(
              queryClient,
              (r) => sameOccurrence(r, row),
              (r) => ({ ...r, skipped: true, status: 'skipped' }),
              (r) => sameOccurrence(r, row),
            ),
          }
        : { before: undefined },
    onError: (_error, _variables, context) => rollBack(queryClient, context?.before),
    onSettled: () => refreshMoneyData(queryClient),
  });
}

export function useClearOverride() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (row: TrackerRow) => api.delete<OverrideAnswer>(`${occurrencePath(row)}/override`),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

const inMonth = (date: string, { year, month }: { year: number; month: number }) =>
  date.startsWith(`${year}-${String(month).padStart(2, '0')}-`);

/**
 * "Pay all due" in one bucket: a dry run first for the confirmation, then the payments. The
 * bucket's unpaid rows due up to the server's today show as paid at once, and go back if the
 * server refuses.
 */
export function usePayAll() {
  const queryClient = useQueryClient();
  const dueAndUnpaid = (row: TrackerRow, tracker: Tracker, body: BulkPay) =>
    tracker.year === body.year &&
    tracker.month === body.month &&
    row.bucket === body.bucket &&
    !row.skipped &&
    row.remaining_cents > 0 &&
    row.due_date <= tracker.today;
  return useMutation({
    mutationFn: (body: BulkPay) => api.post<BulkPaid>('/api/payments/bulk', { body }),
    onMutate: async (body) =>
      body.dry_run
        ? { before: undefined }
        : {
            before: await changeRowsAtOnce(
              queryClient,
              (row, tracker) => dueAndUnpaid(row, tracker, body),
              paidInFull,
              (row) => row.bucket === body.bucket && inMonth(row.due_date, body),
            ),
          },
    onError: (_error, _variables, context) => rollBack(queryClient, context?.before),
    onSettled: (_answer, _error, body) =>
      body.dry_run ? undefined : refreshMoneyData(queryClient),
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

/** Undo of a payment deleted from a bill's history, and of "Autopay failed". */
export async function restorePayment(id: number) {
  await api.post<Payment>(`/api/payments/${id}/restore`);
  await refreshMoneyData(appQueryClient);
}
