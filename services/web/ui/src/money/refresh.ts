import type { QueryClient } from '@tanstack/react-query';
import { meQueryKey } from '../auth/useMe';

/**
 * After any change to bills, categories, payments or overrides: every figure the app has
 * loaded may be stale (the tracker, the bill lists, the summary, the calendar), and the server
 * computes them all. Queries on screen load again; the others load when next shown. The
 * signed-in user is left alone: nothing here changes it.
 */
export function refreshMoneyData(queryClient: QueryClient) {
  return queryClient.invalidateQueries({
    predicate: (query) => query.queryKey[0] !== meQueryKey[0] && query.queryKey[0] !== 'admin',
  });
}
