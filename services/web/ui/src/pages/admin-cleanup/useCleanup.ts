import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { CleanupResult, CleanupTask, CleanupTaskCount } from '../../api/types';
import { statusQueryKey } from '../admin-status/useStatus';

const cleanupQueryKey = ['admin', 'cleanup'] as const;

/** What each cleanup task would remove now. */
export function useCleanupPreview() {
  return useQuery({
    queryKey: cleanupQueryKey,
    queryFn: ({ signal }) => api.get<CleanupTaskCount[]>('/api/admin/cleanup', { signal }),
    staleTime: 0,
  });
}

/** Runs the chosen tasks; the answer says what each removed. */
export function useRunCleanup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tasks: CleanupTask[]) =>
      api.post<CleanupResult>('/api/admin/cleanup', { body: { tasks } }),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: cleanupQueryKey }),
        queryClient.invalidateQueries({ queryKey: statusQueryKey }),
      ]);
    },
  });
}
