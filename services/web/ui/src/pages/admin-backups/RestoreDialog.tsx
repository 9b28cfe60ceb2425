import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import type { Backup, BackupRestored } from '../../api/types';
import { formatBytes, formatDateTime } from '../../format';
import { useStatus } from '../admin-status/useStatus';
import { BackupFacts } from './BackupFacts';
import { useRestoreBackup } from './useBackups';
import { Working } from '../../components/Working';

/**
 * Asks before a restore, showing what is replaced (the live database, with its figures from
 * Status) and what replaces it. The server verifies the backup and saves the live database as
 * a pre-restore backup before it replaces anything.
 */
export function RestoreDialog({
  backup,
  onClose,
  onRestored,
}: {
  backup: Backup;
  onClose: () => void;
  onRestored: (restored: BackupRestored) => void;
}) {
  const restore = useRestoreBackup();
  const [understood, setUnderstood] = useState(false);
  const busy = restore.isPending;

  const confirm = () =>
    restore.mutate(backup.id, {
      onSuccess: (restored) => {
        onRestored(restored);
        onClose();
      },
    });

  return (
    <Modal
      opened
      onClose={busy ? () => undefined : onClose}
      closeOnClickOutside={!busy}
      closeOnEscape={!busy}
      withCloseButton={!busy}
      title="Restore a backup"
      size="xl"
    >
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Stack gap={4} role="group" aria-label="What is replaced">
            <Title order={3} size="h5">
              Replaced: the live database
            </Title>
            <LiveDatabase />
          </Stack>
          <Stack gap={4} role="group" aria-label="What replaces it">
            <Title order={3} size="h5">
              Restored: this backup
            </Title>
            <BackupFacts backup={backup} label="The backup to restore" />
          </Stack>
        </SimpleGrid>

        <Text size="sm">
          Everything recorded since {formatDateTime(backup.created_at)} is replaced for every user.
          First, BillTracker checks the backup and saves the live database as a <b>pre-restore</b>{' '}
          backup, so this restore can itself be undone. Sessions that are not in the backup end,
          which may sign you out.
        </Text>
        <Checkbox
          label="I want to replace the live database with this backup"
          checked={understood}
          disabled={busy}
          onChange={(event) => setUnderstood(event.currentTarget.checked)}
        />
        {busy && <Working label="Checking the backup, saving the live database, then restoring…" />}
        {restore.isError && (
          <Alert color="red" role="alert" title="Not restored">
            <Text size="sm">{errorMessage(restore.error)}</Text>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button color="red" disabled={!understood} loading={busy} onClick={confirm}>
            Restore backup
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The live database's figures, from the Status report. */
function LiveDatabase() {
  const status = useStatus();
  if (status.isPending) {
    return (
      <Text size="sm" c="dimmed">
        Loading its figures…
      </Text>
    );
  }
  if (status.isError) {
    return (
      <Text size="sm" c="dimmed">
        Its figures could not be loaded: {errorMessage(status.error)}
      </Text>
    );
  }
  const { database, statistics } = status.data;
  const rows: [string, string][] = [
    ['Users', String(statistics.users)],
    ['Active bills', String(statistics.active_bills)],
    ['Payments this month', String(statistics.payments_this_month)],
    ['Active sessions', String(statistics.active_sessions)],
    ['Size', formatBytes(database.size_bytes + database.wal_bytes)],
    ['Schema version', String(database.schema_version)],
  ];
  return (
    <Stack gap={2} aria-label="Live database figures">
      {rows.map(([name, value]) => (
        <Group key={name} justify="space-between" gap="xs" wrap="nowrap">
          <Text size="sm" c="dimmed">
            {name}
          </Text>
          <Text size="sm" fw={500}>
            {value}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}
