import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { LoginRecord, User } from '../../api/types';
import { meQueryKey } from '../../auth/useMe';

export interface ProfileChange {
  display_name?: string | null;
  email?: string | null;
}

/** Saves the user's own display name and email. */
export function useUpdateProfile() {
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: (change: ProfileChange) => api.patch<User>('/api/profile', { body: change }),
    onSuccess: (user) => queryClient.setQueryData(meQueryKey, user),
  });
}

/** The user's last ten sign-ins, newest first, failed attempts included. */
export function useLoginHistory() {
  return useQuery({
    queryKey: ['profile', 'logins'],
    queryFn: ({ signal }) => api.get<LoginRecord[]>('/api/profile/logins', { signal }),
  });
}
