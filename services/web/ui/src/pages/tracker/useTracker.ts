import {
  type InfiniteData,
  keepPreviousData,
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
  PaymentPage,
  Tracker,
  TrackerRow,
} from '../../api/types';
import { type CacheChange, cacheChange, showAtOnce } from '../../money/optimistic';
import { refreshMoneyData } from '../../money/refresh';
import { expectedStatus, type Month } from './month';

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
 * The rows of every cached tracker month as `change` makes the rows that `picks` picks (null
 * hides a row), and the overdue list without the rows that `leavesOverdue` takes off it.
 */
export function inTracker({
  picks,
  change,
  leavesOverdue,
}: {
  picks: (row: TrackerRow, tracker: Tracker) => boolean;
  change: (row: TrackerRow, tracker: Tracker) => TrackerRow | null;
  leavesOverdue: (row: TrackerRow) => boolean;
}): CacheChange {
  return cacheChange<Tracker | TrackerRow[]>(['tracker'], (data) =>
    Array.isArray(data)
      ? data.filter((row) => !leavesOverdue(row))
      : {
          ...data,
          buckets: data.buckets.map((bucket) => ({
            ...bucket,
            rows: bucket.rows.flatMap((row) => {
              const changed = picks(row, data) ? change(row, data) : row;
              return changed ? [changed] : [];
            }),
          })),
        },
  );
}

/** One occurrence changed in every tracker month; it leaves the overdue list when `leaves`. */
function inOccurrence(
  target: Pick<TrackerRow, 'bill_id' | 'due_date'>,
  change: (row: TrackerRow, tracker: Tracker) => TrackerRow,
  leaves: (row: TrackerRow) => boolean = () => true,
): CacheChange {
  const same = (row: TrackerRow) =>
    row.bill_id === target.bill_id && row.due_date === target.due_date;
  return inTracker({ picks: same, change, leavesOverdue: (row) => same(row) && leaves(row) });
}

/** A row as it looks once what is still owed has been paid. */
const paidInFull = (row: TrackerRow): TrackerRow => ({
  ...row,
  status: row.skipped ? 'skipped' : 'paid',
  paid_cents: row.amount_due_cents,
  remaining_cents: 0,
  payment_count: row.payment_count + 1,
});

/**
 * A row with one more payment of `cents`: paid when that covers what is still owed, partly
 * paid otherwise. The figures of a partly paid row stay as they were until the server's
 * answer, which has them.
 */
const withPayment = (row: TrackerRow, cents: number): TrackerRow =>
  cents >= row.remaining_cents
    ? { ...paidInFull(row), overpaid: cents > row.remaining_cents }
    : {
        ...row,
        status: row.skipped ? 'skipped' : 'partial',
        payment_count: row.payment_count + 1,
      };

/** A row whose payments are removed: nothing paid, the amount due owed again. */
const withoutPayments = (row: TrackerRow, today: string): TrackerRow => {
  const unpaid = {
    ...row,
    paid_cents: 0,
    remaining_cents: row.amount_due_cents,
    payment_count: 0,
    overpaid: false,
    autopay_payment_id: null,
  };
  return { ...unpaid, status: expectedStatus(unpaid, today) };
};

/**
 * A row with the month override `body` (all empty: none). What is still owed is known only when
 * nothing or everything is paid; otherwise the server's answer brings it.
 */
const withOverride = (row: TrackerRow, body: OverrideBody, today: string): TrackerRow => {
  const override = {
    amount_cents: body.amount_cents ?? null,
    skipped: body.skipped ?? null,
    note: body.note ?? null,
    snoozed_until: body.snoozed_until ?? null,
  };
  const amount = override.amount_cents ?? row.expected_cents;
  const changed = {
    ...row,
    override: Object.values(override).some((value) => value !== null) ? override : null,
    skipped: override.skipped === true,
    amount_due_cents: amount,
    overpaid: row.paid_cents > amount,
    remaining_cents:
      row.paid_cents === 0 ? amount : row.paid_cents >= amount ? 0 : row.remaining_cents,
  };
  return { ...changed, status: expectedStatus(changed, today) };
};

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
    ...showAtOnce(queryClient, ({ row }: { row: TrackerRow }) => [inOccurrence(row, paidInFull)]),
  });
}

/** Records a payment toward an occurrence; its row shows it at once. */
export function useRecordPayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: PaymentInput) => api.post<Payment>('/api/payments', { body: input }),
    ...showAtOnce(queryClient, (input: PaymentInput) => {
      const cents = input.amount_cents ?? 0;
      return input.bill_id == null || input.due_date == null
        ? []
        : [
            inOccurrence(
              { bill_id: input.bill_id, due_date: input.due_date },
              (row) => withPayment(row, cents),
              (row) => cents >= row.remaining_cents,
            ),
          ];
    }),
  });
}

/** The payment histories of the bills, each payment as `change` makes it (null: hidden). */
function inHistories(change: (payment: Payment) => Payment | null): CacheChange {
  return cacheChange<InfiniteData<PaymentPage>>(['bills', 'payments'], (data) => ({
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      items: page.items.flatMap((payment) => {
        const changed = change(payment);
        return changed ? [changed] : [];
      }),
    })),
  }));
}

/**
 * Edits a payment: its line in the bill's history shows the change at once. The occurrence's
 * status waits for the server, which adds up its payments.
 */
export function useUpdatePayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: PaymentInput }) =>
      api.patch<Payment>(`/api/payments/${id}`, { body: change }),
    ...showAtOnce(queryClient, ({ id, change }: { id: number; change: PaymentInput }) => [
      inHistories((payment) =>
        payment.id === id
          ? {
              ...payment,
              amount_cents: change.amount_cents ?? payment.amount_cents,
              paid_on: change.paid_on ?? payment.paid_on,
              method: change.method ?? payment.method,
              note: change.note === undefined ? payment.note : change.note,
            }
          : payment,
      ),
    ]),
  });
}

/** Deletes a payment (soft): it leaves the bill's history at once. */
export function useDeletePayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete<void>(`/api/payments/${id}`),
    ...showAtOnce(queryClient, (id: number) => [
      inHistories((payment) => (payment.id === id ? null : payment)),
    ]),
  });
}

/**
 * Removes every payment of an occurrence (a click on its Paid badge); returns their ids. The
 * row shows as unpaid at once, and its payments leave the bill's history.
 */
export function useRemovePayments() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (row: TrackerRow) => api.delete<PaymentIds>(`${occurrencePath(row)}/payments`),
    ...showAtOnce(queryClient, (target: TrackerRow) => [
      inOccurrence(target, (row, tracker) => withoutPayments(row, tracker.today)),
      inHistories((payment) =>
        payment.bill_id === target.bill_id && payment.due_date === target.due_date ? null : payment,
      ),
    ]),
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
 * Sets the month override of an occurrence; fields left out are not overridden. The row shows
 * it at once (a skipped or snoozed one leaves the overdue list) and goes back if refused.
 */
export function useSetOverride() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ row, body }: { row: TrackerRow; body: OverrideBody }) =>
      api.put<OverrideAnswer>(`${occurrencePath(row)}/override`, { body }),
    ...showAtOnce(queryClient, ({ row, body }: { row: TrackerRow; body: OverrideBody }) => [
      inOccurrence(
        row,
        (shown, tracker) => withOverride(shown, body, tracker.today),
        () => body.skipped === true || !!body.snoozed_until,
      ),
    ]),
  });
}

/** Removes the month override of an occurrence: back to the bill's own settings, at once. */
export function useClearOverride() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (row: TrackerRow) => api.delete<OverrideAnswer>(`${occurrencePath(row)}/override`),
    ...showAtOnce(queryClient, (row: TrackerRow) => [
      inOccurrence(
        row,
        (shown, tracker) => withOverride(shown, {}, tracker.today),
        () => false,
      ),
    ]),
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
  const atOnce = showAtOnce(queryClient, (body: BulkPay) =>
    body.dry_run
      ? []
      : [
          inTracker({
            picks: (row, tracker) => dueAndUnpaid(row, tracker, body),
            change: paidInFull,
            leavesOverdue: (row) => row.bucket === body.bucket && inMonth(row.due_date, body),
          }),
        ],
  );
  return useMutation({
    mutationFn: (body: BulkPay) => api.post<BulkPaid>('/api/payments/bulk', { body }),
    ...atOnce,
    onSettled: (_answer, _error, body) => (body.dry_run ? undefined : atOnce.onSettled()),
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
