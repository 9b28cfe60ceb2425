import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { LoginEvent, ProfilePatch, User } from '../../api/types';
import { meQueryKey } from '../../auth/useMe';

/** Saves the user's own display name and email. */
export function useUpdateProfile() {
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: (change: ProfilePatch) => api.patch<User>('/api/profile', { body: change }),
    onSuccess: (user) => queryClient.setQueryData(meQueryKey, user),
  });
}

/** The user's last ten sign-ins, newest first, failed attempts included. */
export function useLoginHistory() {
  return useQuery({
    queryKey: ['profile', 'logins'],
    queryFn: ({ signal }) => api.get<LoginEvent[]>('/api/profile/logins', { signal }),
  });
}
