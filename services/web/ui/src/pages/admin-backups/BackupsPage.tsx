import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  CloseButton,
  FileButton,
  Group,
  Menu,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import type { Backup, BackupRestored, BackupVerification } from '../../api/types';
import { ActionsHeader } from '../../components/ActionsHeader';
import { IconDots } from '../../components/icons';
import { LoadError, Loading } from '../../components/QueryStatus';
import { formatBytes, formatDateTime } from '../../format';
import { BackupFacts, Copyable } from './BackupFacts';
import { DeleteBackupDialog } from './DeleteBackupDialog';
import { KIND_COLORS, KIND_LABELS } from './labels';
import { RestoreDialog } from './RestoreDialog';
import {
  downloadUrl,
  useBackups,
  useCreateBackup,
  useImportBackup,
  useVerifyBackup,
} from './useBackups';
import { Working } from '../../components/Working';

type Dialog = { kind: 'restore' | 'delete'; backup: Backup } | null;

/** What the page reports after an action, above the list, until dismissed. */
type Outcome =
  | { kind: 'created' | 'uploaded'; backup: Backup }
  | { kind: 'verified'; verification: BackupVerification }
  | { kind: 'restored'; restored: BackupRestored }
  | null;

/**
 * `/admin/backups`: the managed backups, with create, upload, download, verify, restore and
 * delete. Each long operation shows that it is running; a restore ends with the id of the
 * pre-restore backup, to note down.
 */
export function BackupsPage() {
  const [dialog, setDialog] = useState<Dialog>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const create = useCreateBackup();
  const upload = useImportBackup();
  const verify = useVerifyBackup();

  const createNow = () => {
    setOutcome(null);
    create.mutate(undefined, {
      onSuccess: (backup) => setOutcome({ kind: 'created', backup }),
    });
  };
  const uploadFile = (file: File | null) => {
    if (!file) {
      return;
    }
    setOutcome(null);
    upload.mutate(file, { onSuccess: (backup) => setOutcome({ kind: 'uploaded', backup }) });
  };
  const verifyOne = (backup: Backup) => {
    setOutcome(null);
    verify.mutate(backup.id, {
      onSuccess: (verification) => setOutcome({ kind: 'verified', verification }),
      onError: (error) =>
        notifications.show({ color: 'red', title: 'Not verified', message: errorMessage(error) }),
    });
  };

  return (
    <Stack gap="md" maw={1200}>
      <Group justify="space-between">
        <Title order={2}>Backups</Title>
        <Group gap="sm">
          <FileButton onChange={uploadFile} accept=".db,.sqlite,.sqlite3,application/vnd.sqlite3">
            {(props) => (
              <Button variant="default" loading={upload.isPending} {...props}>
                Upload backup
              </Button>
            )}
          </FileButton>
          <Button onClick={createNow} loading={create.isPending}>
            Create backup
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        Each backup is a complete copy of the database, checked and stored with its SHA-256
        checksum. Scheduled backups follow the retention set for the instance; the others are kept
        until you delete them. The schedule and totals are on{' '}
        <Anchor component={Link} to="/admin/status">
          Status
        </Anchor>
        .
      </Text>

      {create.isPending && <Working label="Taking a backup and checking it…" />}
      {upload.isPending && <Working label="Uploading the file and checking it…" />}
      {verify.isPending && <Working label={`Verifying ${verify.variables}…`} />}
      {create.isError && (
        <ErrorAlert title="No backup was taken" error={create.error} onClose={create.reset} />
      )}
      {upload.isError && (
        <ErrorAlert title="The file was refused" error={upload.error} onClose={upload.reset} />
      )}
      {outcome && <OutcomeAlert outcome={outcome} onClose={() => setOutcome(null)} />}

      <BackupList
        onVerify={verifyOne}
        verifying={verify.isPending ? verify.variables : undefined}
        onDialog={setDialog}
      />

      {dialog?.kind === 'restore' && (
        <RestoreDialog
          backup={dialog.backup}
          onClose={() => setDialog(null)}
          onRestored={(restored) => setOutcome({ kind: 'restored', restored })}
        />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteBackupDialog backup={dialog.backup} onClose={() => setDialog(null)} />
      )}
    </Stack>
  );
}

function ErrorAlert({
  title,
  error,
  onClose,
}: {
  title: string;
  error: unknown;
  onClose: () => void;
}) {
  return (
    <Alert
      color="red"
      role="alert"
      title={title}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onClose}
    >
      <Text size="sm">{errorMessage(error)}</Text>
    </Alert>
  );
}

function OutcomeAlert({
  outcome,
  onClose,
}: {
  outcome: NonNullable<Outcome>;
  onClose: () => void;
}) {
  const close = <CloseButton aria-label="Dismiss" onClick={onClose} />;

  switch (outcome.kind) {
    case 'created':
    case 'uploaded':
      return (
        <Alert
          color="teal"
          role="status"
          title={
            <Group justify="space-between" wrap="nowrap">
              <span>{outcome.kind === 'created' ? 'Backup created' : 'Backup uploaded'}</span>
              {close}
            </Group>
          }
          styles={{ label: { width: '100%' } }}
        >
          <BackupFacts backup={outcome.backup} label="The new backup" />
        </Alert>
      );
    case 'verified': {
      const { verification } = outcome;
      return (
        <Alert
          color={verification.ok ? 'teal' : 'red'}
          role={verification.ok ? 'status' : 'alert'}
          title={
            <Group justify="space-between" wrap="nowrap">
              <span>{verification.ok ? 'The backup is sound' : 'The backup failed its check'}</span>
              {close}
            </Group>
          }
          styles={{ label: { width: '100%' } }}
        >
          <Stack gap={2}>
            <Text size="sm">
              <b>{verification.id}</b>: checksum {verification.checksum_ok ? 'matches' : 'differs'};
              integrity check: {verification.integrity}
              {verification.schema_version !== null &&
                verification.schema_version !== undefined &&
                `; schema version ${verification.schema_version}`}
              .
            </Text>
            {verification.problem && <Text size="sm">{verification.problem}</Text>}
          </Stack>
        </Alert>
      );
    }
    case 'restored':
      return (
        <Alert
          color="teal"
          role="status"
          variant="outline"
          title={
            <Group justify="space-between" wrap="nowrap">
              <span>Backup restored</span>
              {close}
            </Group>
          }
          styles={{ label: { width: '100%' } }}
        >
          <Stack gap="xs">
            <Text size="sm">
              The live database now holds <b>{outcome.restored.restored}</b>. The database as it was
              just before is saved as this pre-restore backup; note its id down:
            </Text>
            <Group gap="xs" role="group" aria-label="Pre-restore backup id">
              <Text size="sm" fw={700}>
                Pre-restore backup:
              </Text>
              <Copyable value={outcome.restored.pre_restore_backup} label="pre-restore backup id" />
            </Group>
            <Text size="sm" c="dimmed">
              To undo this restore, restore that backup.
            </Text>
          </Stack>
        </Alert>
      );
  }
}

function BackupList({
  onVerify,
  verifying,
  onDialog,
}: {
  onVerify: (backup: Backup) => void;
  verifying: string | undefined;
  onDialog: (dialog: Dialog) => void;
}) {
  const backups = useBackups();

  if (backups.isPending) {
    return <Loading />;
  }
  if (backups.isError) {
    return (
      <LoadError
        title="Could not load the backups"
        error={backups.error}
        retrying={backups.isRefetching}
        onRetry={() => void backups.refetch()}
      />
    );
  }
  if (backups.data.length === 0) {
    return <Text c="dimmed">There are no backups yet.</Text>;
  }

  return (
    <Table.ScrollContainer minWidth={760} type="native">
      <Table striped highlightOnHover aria-label="Backups">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Backup</Table.Th>
            <Table.Th>Taken</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
            <Table.Th>Checksum</Table.Th>
            <ActionsHeader />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {backups.data.map((backup) => (
            <Table.Tr key={backup.id}>
              <Table.Td>
                <Stack gap={4} align="flex-start">
                  <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {backup.id}
                  </Text>
                  <Badge color={KIND_COLORS[backup.kind]} variant="light" size="sm">
                    {KIND_LABELS[backup.kind]}
                  </Badge>
                </Stack>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {formatDateTime(backup.created_at)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatBytes(backup.size_bytes)}
              </Table.Td>
              <Table.Td>
                <Stack gap={4} align="flex-start">
                  {backup.sha256 ? (
                    <Tooltip label={backup.sha256} withArrow multiline maw={320}>
                      <Text
                        size="sm"
                        ff="monospace"
                        tabIndex={0}
                        aria-label={`SHA-256 ${backup.sha256}`}
                        style={{ whiteSpace: 'nowrap' }}
                      >
                        {backup.sha256.slice(0, 12)}…
                      </Text>
                    </Tooltip>
                  ) : (
                    <Text size="sm" c="dimmed">
                      missing
                    </Text>
                  )}
                  <Badge color={backup.verified ? 'teal' : 'red'} variant="light" size="sm">
                    {backup.verified ? 'Matches' : 'Does not match'}
                  </Badge>
                </Stack>
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap" justify="flex-end">
                  <Button
                    component="a"
                    href={downloadUrl(backup.id)}
                    download={backup.id}
                    size="compact-sm"
                    variant="default"
                    aria-label={`Download ${backup.id}`}
                  >
                    Download
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="light"
                    color="orange"
                    aria-label={`Restore ${backup.id}`}
                    onClick={() => onDialog({ kind: 'restore', backup })}
                  >
                    Restore
                  </Button>
                  <Menu position="bottom-end" withinPortal>
                    <Menu.Target>
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        loading={verifying === backup.id}
                        aria-label={`More actions for ${backup.id}`}
                      >
                        <IconDots />
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item
                        disabled={verifying !== undefined}
                        onClick={() => onVerify(backup)}
                      >
                        Verify
                      </Menu.Item>
                      <Menu.Divider />
                      <Menu.Item color="red" onClick={() => onDialog({ kind: 'delete', backup })}>
                        Delete
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
