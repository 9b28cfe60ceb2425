import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { api, ApiError } from '../api/client';
import { errorMessage } from '../api/errors';

/**
 * Ends the session on the server, then loads the sign-in page afresh so that nothing of this
 * user (cached data, the CSRF token) stays in memory for whoever uses the browser next.
 */
export function useSignOut() {
  return useMutation({
    mutationFn: () => api.post<void>('/api/auth/logout'),
    onSuccess: () => window.location.assign('/login'),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 401) {
        // The session had already ended.
        window.location.assign('/login');
        return;
      }
      notifications.show({
        color: 'red',
        title: 'Could not sign out',
        message: errorMessage(error),
      });
    },
  });
}
