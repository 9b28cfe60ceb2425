import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api } from '../../api/client';
import { queryClient as appQueryClient } from '../../api/queryClient';
import type { Bill, BillInput, PaymentPage } from '../../api/types';
import { cacheChange, showAtOnce } from '../../money/optimistic';
import { refreshMoneyData } from '../../money/refresh';
import { inTracker } from '../tracker/useTracker';

export interface BillFilter {
  q?: string;
  category_id?: number;
  active?: boolean;
}

/** The user's bills matching `filter`, by name. */
export function useBills(filter: BillFilter = {}) {
  return useQuery({
    queryKey: ['bills', 'list', filter],
    queryFn: ({ signal }) => api.get<Bill[]>(`/api/bills${query(filter)}`, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useBill(id: number) {
  return useQuery({
    queryKey: ['bills', 'one', id],
    queryFn: ({ signal }) => api.get<Bill>(`/api/bills/${id}`, { signal }),
  });
}

/** Deleted bills that can still be restored, with their days left. */
export function useDeletedBills() {
  return useQuery({
    queryKey: ['bills', 'deleted'],
    queryFn: ({ signal }) => api.get<Bill[]>('/api/bills/deleted', { signal }),
  });
}

const HISTORY_PAGE = 20;

/** A bill's payments, newest first, a page at a time ("Load more"). */
export function useBillPayments(id: number) {
  return useInfiniteQuery({
    queryKey: ['bills', 'payments', id],
    queryFn: ({ pageParam, signal }) =>
      api.get<PaymentPage>(
        `/api/bills/${id}/payments?limit=${HISTORY_PAGE}` +
          (pageParam === null ? '' : `&before=${pageParam}`),
        { signal },
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.next ?? undefined,
  });
}

export function useCreateBill() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: BillInput) => api.post<Bill>('/api/bills', { body: input }),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

export function useUpdateBill() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: BillInput }) =>
      api.patch<Bill>(`/api/bills/${id}`, { body: change }),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

export function useDuplicateBill() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Bill>(`/api/bills/${id}/duplicate`),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

/**
 * Deactivates or reactivates a bill: its lists and its page show it at once (a list of only
 * active or only inactive bills drops it). The months it drops out of wait for the server.
 */
export function useSetBillActive() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ bill, active }: { bill: Bill; active: boolean }) =>
      api.patch<Bill>(`/api/bills/${bill.id}`, { body: { active } }),
    ...showAtOnce(queryClient, ({ bill, active }: { bill: Bill; active: boolean }) => {
      const changed = (shown: Bill) => (shown.id === bill.id ? { ...shown, active } : shown);
      return [
        cacheChange<Bill[]>(['bills', 'list'], (list, key) => {
          const filter = key[2] as BillFilter | undefined;
          return list
            .map(changed)
            .filter((shown) => filter?.active === undefined || shown.active === filter.active);
        }),
        cacheChange<Bill>(['bills', 'one', bill.id], changed, true),
      ];
    }),
  });
}

/** Deletes a bill (soft): it leaves the bill lists and its rows leave the tracker at once. */
export function useDeleteBill() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (bill: Bill) => api.delete<void>(`/api/bills/${bill.id}`),
    ...showAtOnce(queryClient, (bill: Bill) => [
      cacheChange<Bill[]>(['bills', 'list'], (list) =>
        list.filter((shown) => shown.id !== bill.id),
      ),
      inTracker({
        picks: (row) => row.bill_id === bill.id,
        change: () => null,
        leavesOverdue: (row) => row.bill_id === bill.id,
      }),
    ]),
  });
}

export function useRestoreBill() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Bill>(`/api/bills/${id}/restore`),
    onSuccess: () => refreshMoneyData(queryClient),
  });
}

/** The Undo of a delete, run from a toast (outside React's providers). */
export async function restoreBill(id: number) {
  await api.post<Bill>(`/api/bills/${id}/restore`);
  await refreshMoneyData(appQueryClient);
}

function query(filter: BillFilter): string {
  const params = new URLSearchParams();
  if (filter.q) {
    params.set('q', filter.q);
  }
  if (filter.category_id !== undefined) {
    params.set('category_id', String(filter.category_id));
  }
  if (filter.active !== undefined) {
    params.set('active', String(filter.active));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
