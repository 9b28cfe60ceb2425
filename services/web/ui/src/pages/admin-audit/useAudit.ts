import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { AuditPage } from '../../api/types';

const PAGE_SIZE = 50;

/** The audit log, newest first, fifty entries at a time. */
export function useAudit() {
  return useInfiniteQuery({
    queryKey: ['admin', 'audit'],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam, signal }) => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (pageParam !== null) {
        query.set('before', String(pageParam));
      }
      return api.get<AuditPage>(`/api/admin/audit?${query.toString()}`, { signal });
    },
    getNextPageParam: (page) => page.next,
  });
}
