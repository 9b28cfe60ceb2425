import type { BackupKind } from '../../api/types';

export const KIND_LABELS: Record<BackupKind, string> = {
  manual: 'Manual',
  scheduled: 'Scheduled',
  'pre-restore': 'Pre-restore',
  'pre-upgrade': 'Pre-upgrade',
};

export const KIND_COLORS: Record<BackupKind, string> = {
  manual: 'blue',
  scheduled: 'gray',
  'pre-restore': 'orange',
  'pre-upgrade': 'grape',
};
