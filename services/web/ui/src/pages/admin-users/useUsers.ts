import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type {
  CreateUser,
  DeleteUser,
  PatchUser,
  ResetAnswer,
  ResetPassword,
  User,
} from '../../api/types';
import { meQueryKey } from '../../auth/useMe';

const usersQueryKey = ['admin', 'users'] as const;

/** Every account on this server. */
export function useUsers() {
  return useQuery({
    queryKey: usersQueryKey,
    queryFn: ({ signal }) => api.get<User[]>('/api/admin/users', { signal }),
  });
}

export function useCreateUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (user: CreateUser) => api.post<User>('/api/admin/users', { body: user }),
    onSuccess: refresh,
  });
}

export function useUpdateUser(id: number) {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (change: PatchUser) => api.patch<User>(`/api/admin/users/${id}`, { body: change }),
    onSuccess: refresh,
  });
}

export function useResetPassword(id: number) {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (reset: ResetPassword) =>
      api.post<ResetAnswer>(`/api/admin/users/${id}/reset-password`, { body: reset }),
    onSuccess: refresh,
  });
}

export function useDeleteUser(id: number) {
  const queryClient = useQueryClient();
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (deletion: DeleteUser) =>
      api.delete<void>(`/api/admin/users/${id}`, { body: deletion }),
    // Moved data may have landed in the admin's own bills and months: refresh everything.
    onSuccess: (_, deletion) =>
      deletion.reassign_to ? queryClient.invalidateQueries() : refresh(),
  });
}

/** After any change: the list, and the admin's own account in case they changed themselves. */
function useRefreshUsers() {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: usersQueryKey }),
      queryClient.invalidateQueries({ queryKey: meQueryKey }),
    ]);
  };
}
