import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { StatusReport } from '../../api/types';

/** How often the Status page asks again while it is open. */
export const STATUS_REFRESH_MS = 10_000;

export const statusQueryKey = ['admin', 'status'] as const;

/**
 * The Status report. With `live`, it is fetched again every 10 seconds while the page is
 * visible; other pages (the restore dialog) read it once.
 */
export function useStatus({ live = false }: { live?: boolean } = {}) {
  return useQuery({
    queryKey: statusQueryKey,
    queryFn: ({ signal }) => api.get<StatusReport>('/api/admin/status', { signal }),
    refetchInterval: live ? STATUS_REFRESH_MS : false,
    staleTime: live ? 0 : 30_000,
  });
}
