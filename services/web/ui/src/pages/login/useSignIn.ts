import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { LoginBody, User } from '../../api/types';
import { authModeQueryKey } from '../../auth/useAuthMode';
import { meQueryKey } from '../../auth/useMe';

/** Signs in with a username and password; on success the app knows the user at once. */
export function useSignIn() {
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: (credentials: LoginBody) =>
      api.post<User>('/api/auth/login', { body: credentials }),
    onSuccess: (user) => {
      // Whatever was cached belonged to the previous session.
      queryClient.removeQueries({
        predicate: (query) =>
          query.queryKey[0] !== meQueryKey[0] && query.queryKey[0] !== authModeQueryKey[0],
      });
      queryClient.setQueryData(meQueryKey, user);
    },
  });
}
