import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { meQueryKey } from '../auth/useMe';
import { ApiError } from './client';

export const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refused request (4xx) fails the same way the second time.
      retry: (failureCount, error) =>
        !(error instanceof ApiError && error.isClientError) && failureCount < 2,
      staleTime: 30_000,
    },
  },
  queryCache: new QueryCache({ onError: noticeSessionChange }),
  mutationCache: new MutationCache({ onError: noticeSessionChange }),
});

/**
 * The one place that reacts to a session ending or needing a new password, whichever call
 * finds out first. The route guards (src/auth/guards.tsx) then move the user to the sign-in
 * page, with the current address as `next`, or to the forced password change.
 */
function noticeSessionChange(error: unknown) {
  if (!(error instanceof ApiError)) {
    return;
  }
  if (error.status === 401 && error.code === 'UNAUTHENTICATED') {
    queryClient.setQueryData(meQueryKey, null);
  } else if (error.status === 403 && error.code === 'PASSWORD_CHANGE_REQUIRED') {
    void queryClient.invalidateQueries({ queryKey: meQueryKey });
  }
}
