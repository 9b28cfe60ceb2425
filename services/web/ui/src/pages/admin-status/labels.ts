import type { ServiceStatus } from '../../api/types';

export const SERVICE_LABELS: Record<ServiceStatus['service'], string> = {
  web: 'Web',
  'sync-worker': 'Sync worker',
  notifier: 'Notifier',
  janitor: 'Janitor',
};

export const STATE_LABELS: Record<ServiceStatus['state'], string> = {
  up: 'Up',
  stale: 'Stale',
  down: 'Down',
};

export const STATE_COLORS: Record<ServiceStatus['state'], string> = {
  up: 'teal',
  stale: 'yellow',
  down: 'red',
};

export const STATE_HINTS: Record<ServiceStatus['state'], string> = {
  up: 'Its heartbeat is recent',
  stale: 'Its heartbeat is late: busy, paused or about to be down',
  down: 'No heartbeat for a while, stopped, or never started',
};
