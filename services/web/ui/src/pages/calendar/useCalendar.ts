import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { MonthCalendar } from '../../api/types';
import type { Month } from '../../components/MonthSwitcher';

/** Every month's calendar starts with this key, so a payment anywhere can refresh them all. */
export const calendarQueryKey = ['calendar'] as const;

/** The month's occurrences on their due dates and payments on their paid dates, day by day. */
export function useCalendar({ year, month }: Month) {
  return useQuery({
    queryKey: [...calendarQueryKey, year, month],
    queryFn: ({ signal }) =>
      api.get<MonthCalendar>(`/api/calendar?year=${year}&month=${month}`, { signal }),
  });
}
