import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Category, CategoryInput } from '../../api/types';
import { cacheChange, showAtOnce } from '../../money/optimistic';

export const categoriesQueryKey = ['categories'] as const;
const deletedQueryKey = ['categories', 'deleted'] as const;

/** The user's categories, by name, with their bill counts. */
export function useCategories() {
  return useQuery({
    queryKey: categoriesQueryKey,
    queryFn: ({ signal }) => api.get<Category[]>('/api/categories', { signal }),
  });
}

/** Deleted categories that can still be restored, with their days left. */
export function useDeletedCategories() {
  return useQuery({
    queryKey: deletedQueryKey,
    queryFn: ({ signal }) => api.get<Category[]>('/api/categories/deleted', { signal }),
  });
}

export function useCreateCategory() {
  const refresh = useRefreshCategories();
  return useMutation({
    mutationFn: (input: CategoryInput) => api.post<Category>('/api/categories', { body: input }),
    onSuccess: refresh,
  });
}

export function useUpdateCategory(id: number) {
  const refresh = useRefreshCategories();
  return useMutation({
    mutationFn: (input: CategoryInput) =>
      api.patch<Category>(`/api/categories/${id}`, { body: input }),
    onSuccess: refresh,
  });
}

/** Deletes a category (soft): it leaves the list at once, and comes back if refused. */
export function useDeleteCategory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete<void>(`/api/categories/${id}`),
    ...showAtOnce(
      queryClient,
      (id: number) => [
        cacheChange<Category[]>(
          categoriesQueryKey,
          (list) => list.filter((category) => category.id !== id),
          true,
        ),
      ],
      refreshCategories,
    ),
  });
}

export function useRestoreCategory() {
  const refresh = useRefreshCategories();
  return useMutation({
    mutationFn: (id: number) => restoreCategory(id),
    onSuccess: refresh,
  });
}

/** Outside React too: the Undo of a delete runs from a toast. */
export function restoreCategory(id: number) {
  return api.post<Category>(`/api/categories/${id}/restore`);
}

/** Categories show in every list of bills and in the tracker. */
function useRefreshCategories() {
  const queryClient = useQueryClient();
  return () => refreshCategories(queryClient);
}

function refreshCategories(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: categoriesQueryKey });
}
