import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Backup, BackupRestored, BackupVerification } from '../../api/types';
import { statusQueryKey } from '../admin-status/useStatus';

const backupsQueryKey = ['admin', 'backups'] as const;

/** The address a browser downloads backup `id` from. */
export function downloadUrl(id: string): string {
  return `/api/admin/backups/${encodeURIComponent(id)}/download`;
}

function backupPath(id: string, action = ''): string {
  return `/api/admin/backups/${encodeURIComponent(id)}${action}`;
}

/** Every managed backup, newest first. */
export function useBackups() {
  return useQuery({
    queryKey: backupsQueryKey,
    queryFn: ({ signal }) => api.get<Backup[]>('/api/admin/backups', { signal }),
  });
}

/** Takes a manual backup now. */
export function useCreateBackup() {
  const refresh = useRefreshBackups();
  return useMutation({
    mutationFn: () => api.post<Backup>('/api/admin/backups'),
    onSuccess: refresh,
  });
}

/** Checks a backup's checksum, integrity and schema. */
export function useVerifyBackup() {
  const refresh = useRefreshBackups();
  return useMutation({
    mutationFn: (id: string) => api.post<BackupVerification>(backupPath(id, '/verify')),
    onSuccess: refresh,
  });
}

/**
 * Restores a backup into the live database, after the server has saved the live database as
 * a pre-restore backup. Every page's data may have changed, so everything is fetched again.
 */
export function useRestoreBackup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<BackupRestored>(backupPath(id, '/restore')),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

export function useDeleteBackup() {
  const refresh = useRefreshBackups();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(backupPath(id)),
    onSuccess: refresh,
  });
}

/** Uploads a backup file; the server keeps it only if it is a sound database of this app. */
export function useImportBackup() {
  const refresh = useRefreshBackups();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return api.upload<Backup>('/api/admin/backups/import', form);
    },
    onSuccess: refresh,
  });
}

/** After any change: the list, and Status, which counts the backups. */
function useRefreshBackups() {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: backupsQueryKey }),
      queryClient.invalidateQueries({ queryKey: statusQueryKey }),
    ]);
  };
}
