import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Summary, SummaryInput } from '../../api/types';
import type { Month } from '../../components/MonthSwitcher';

/** Every month's summary starts with this key, so a payment anywhere can refresh them all. */
export const summaryQueryKey = ['summary'] as const;

function monthKey({ year, month }: Month) {
  return [...summaryQueryKey, year, month] as const;
}

/** The month's plan and every figure the server computed from it and the tracker. */
export function useSummary(month: Month) {
  return useQuery({
    queryKey: monthKey(month),
    queryFn: ({ signal }) =>
      api.get<Summary>(`/api/summary?year=${month.year}&month=${month.month}`, { signal }),
  });
}

/** Saves starting money and the whole income list at once; the answer is the new summary. */
export function useSaveSummary(month: Month) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (plan: SummaryInput) =>
      api.put<Summary>(`/api/summary?year=${month.year}&month=${month.month}`, { body: plan }),
    onSuccess: async (summary) => {
      queryClient.setQueryData(monthKey(month), summary);
      // The next month's "previous month's leftover" comes from this one.
      await queryClient.invalidateQueries({ queryKey: summaryQueryKey, refetchType: 'none' });
    },
  });
}
