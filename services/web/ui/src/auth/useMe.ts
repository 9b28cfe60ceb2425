import { useQuery } from '@tanstack/react-query';
import { api, ApiError } from '../api/client';
import type { User } from '../api/types';

export const meQueryKey = ['me'] as const;

/**
 * The signed-in user, or null when nobody is signed in. Any call answered 401 elsewhere in the
 * app sets this to null (see queryClient.ts), and the route guard then sends the user to sign in.
 */
export function useMe() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: async ({ signal }): Promise<User | null> => {
      try {
        return await api.get<User>('/api/auth/me', { signal });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          return null;
        }
        throw error;
      }
    },
  });
}

/** The name to greet the user by. */
export function displayName(user: User): string {
  return user.display_name?.trim() || user.username;
}
