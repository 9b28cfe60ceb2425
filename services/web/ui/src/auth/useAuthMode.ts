import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { AuthMode } from '../api/types';

export const authModeQueryKey = ['auth-mode'] as const;

/** Which sign-in methods the server offers: local passwords, single sign-on, or both. */
export function useAuthMode() {
  return useQuery({
    queryKey: authModeQueryKey,
    queryFn: ({ signal }) => api.get<AuthMode>('/api/auth/mode', { signal }),
  });
}
