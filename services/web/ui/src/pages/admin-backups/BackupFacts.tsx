import { ActionIcon, Code, CopyButton, Group, Table, Tooltip } from '@mantine/core';
import type { Backup } from '../../api/types';
import { IconCheck, IconCopy } from '../../components/icons';
import { formatBytes, formatDateTime } from '../../format';
import { KIND_LABELS } from './labels';

/** A value to note down (an id, a checksum), with a copy button. */
export function Copyable({ value, label }: { value: string; label: string }) {
  return (
    <Group gap={4} wrap="nowrap" align="flex-start">
      <Code style={{ overflowWrap: 'anywhere', whiteSpace: 'normal' }}>{value}</Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : `Copy ${label}`} withArrow>
            <ActionIcon
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              size="sm"
              aria-label={`Copy ${label}`}
              onClick={copy}
            >
              {copied ? <IconCheck /> : <IconCopy />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

/** Everything about one backup that an operator notes down: id, kind, time, size, checksum. */
export function BackupFacts({ backup, label }: { backup: Backup; label: string }) {
  return (
    <Table aria-label={label} withRowBorders={false} verticalSpacing={2}>
      <Table.Tbody>
        <Table.Tr>
          <Table.Th scope="row" w={110}>
            Backup id
          </Table.Th>
          <Table.Td>
            <Copyable value={backup.id} label="backup id" />
          </Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th scope="row">Kind</Table.Th>
          <Table.Td>{KIND_LABELS[backup.kind]}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th scope="row">Taken</Table.Th>
          <Table.Td>{formatDateTime(backup.created_at)}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th scope="row">Size</Table.Th>
          <Table.Td>{formatBytes(backup.size_bytes)}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th scope="row">SHA-256</Table.Th>
          <Table.Td>
            {backup.sha256 ? <Copyable value={backup.sha256} label="checksum" /> : 'missing'}
          </Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}
