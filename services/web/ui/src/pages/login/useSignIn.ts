import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { authModeQueryKey } from '../../auth/useAuthMode';
import { meQueryKey } from '../../auth/useMe';

export interface Credentials {
  username: string;
  password: string;
}

/** Signs in with a username and password; on success the app knows the user at once. */
export function useSignIn() {
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: (credentials: Credentials) =>
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
