import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Group,
  Menu,
  Paper,
  Stack,
  Table,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { Link } from 'react-router';
import type { Category, TrackerRow } from '../../api/types';
import { CategoryLabel } from '../../components/CategoryLabel';
import { formatDay } from '../../components/dates';
import { IconDots } from '../../components/icons';
import { STATUS_HINTS, StatusBadge } from '../../components/OccurrenceStatus';
import { useFocusStaysWithin } from '../../components/useFocusStaysWithin';
import { formatMoney } from '../../money/format';

/** What can be done to one occurrence; the page opens the dialogs. */
export interface RowActions {
  quickPay: (row: TrackerRow) => void;
  record: (row: TrackerRow) => void;
  editOverride: (row: TrackerRow) => void;
  removePayments: (row: TrackerRow) => void;
  /** The bank did not make the autopay payment of this row. */
  autopayFailed: (row: TrackerRow) => void;
}

interface RowProps {
  row: TrackerRow;
  category: Category | undefined;
  year: number;
  actions: RowActions;
}

/** A row of the month's table (wide screens). */
export function OccurrenceTableRow({ row, category, year, actions }: RowProps) {
  const focus = useFocusStaysWithin<HTMLTableRowElement>([
    row.status,
    row.payment_count,
    row.skipped,
  ]);
  return (
    <Table.Tr
      data-testid="occurrence"
      data-focus-home
      aria-label={`${row.name}, due ${row.due_date}`}
      {...focus}
    >
      <Table.Td>
        <Status row={row} actions={actions} />
      </Table.Td>
      <Table.Td>
        <Name row={row} />
      </Table.Td>
      <Table.Td>
        <CategoryLabel category={category} />
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDay(row.due_date, year)}</Table.Td>
      <Table.Td ta="right">
        <AmountDue row={row} />
      </Table.Td>
      <Table.Td ta="right">
        <Paid row={row} />
      </Table.Td>
      <Table.Td>
        <Actions row={row} actions={actions} />
      </Table.Td>
    </Table.Tr>
  );
}

/** The same occurrence as a compact card (phones). */
export function OccurrenceCard({ row, category, year, actions }: RowProps) {
  const focus = useFocusStaysWithin<HTMLDivElement>([row.status, row.payment_count, row.skipped]);
  return (
    <Paper
      {...focus}
      data-focus-home
      withBorder
      p="sm"
      data-testid="occurrence"
      role="group"
      aria-label={`${row.name}, due ${row.due_date}`}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Name row={row} />
          <Status row={row} actions={actions} />
        </Group>
        <Group justify="space-between" wrap="nowrap">
          <CategoryLabel category={category} />
          <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            Due {formatDay(row.due_date, year)}
          </Text>
        </Group>
        <Group justify="space-between" wrap="nowrap" align="flex-end">
          <Group gap="lg" wrap="nowrap">
            <Stack gap={0}>
              <Text size="xs" c="dimmed">
                Amount
              </Text>
              <AmountDue row={row} />
            </Stack>
            <Stack gap={0}>
              <Text size="xs" c="dimmed">
                Paid
              </Text>
              <Paid row={row} />
            </Stack>
          </Group>
          <Actions row={row} actions={actions} />
        </Group>
      </Stack>
    </Paper>
  );
}

function Name({ row }: { row: TrackerRow }) {
  const note = row.override?.note;
  return (
    <Stack gap={2} style={{ minWidth: 0 }}>
      <Group gap={6} wrap="wrap">
        <Anchor component={Link} to={`/bills/${row.bill_id}`} fw={600} size="sm">
          {row.name}
        </Anchor>
        {row.autopay && (
          <Badge size="xs" variant="light" color="indigo">
            Autopay
          </Badge>
        )}
        {row.autopay_failed && (
          <Tooltip label="The bank did not pay; autopay will not record it again" withArrow>
            <Badge size="xs" variant="light" color="red">
              Autopay failed
            </Badge>
          </Tooltip>
        )}
        {row.override?.snoozed_until && (
          <Badge size="xs" variant="light" color="gray">
            Snoozed to {formatDay(row.override.snoozed_until)}
          </Badge>
        )}
      </Group>
      {note && (
        <Text size="xs" c="dimmed" lineClamp={2}>
          {note}
        </Text>
      )}
    </Stack>
  );
}

/** The status badge; once something is paid it is a button that offers to remove the payments. */
function Status({ row, actions }: { row: TrackerRow; actions: RowActions }) {
  const badge = <StatusBadge status={row.status} overpaid={row.overpaid} />;
  if (row.payment_count === 0) {
    return (
      <Tooltip label={STATUS_HINTS[row.status]} withArrow openDelay={300}>
        {badge}
      </Tooltip>
    );
  }
  return (
    <Tooltip label="Remove this month's payments" withArrow openDelay={300}>
      <UnstyledButton
        onClick={() => actions.removePayments(row)}
        aria-label={`${row.overpaid ? 'Overpaid' : STATUS_HINTS[row.status]}: remove the payments of ${row.name}`}
      >
        {badge}
      </UnstyledButton>
    </Tooltip>
  );
}

function AmountDue({ row }: { row: TrackerRow }) {
  const overridden = row.amount_due_cents !== row.expected_cents;
  return (
    <Stack gap={0} align="flex-end">
      <Text
        size="sm"
        td={row.skipped ? 'line-through' : undefined}
        style={{ whiteSpace: 'nowrap' }}
      >
        {formatMoney(row.amount_due_cents)}
      </Text>
      {overridden && (
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          usually {formatMoney(row.expected_cents)}
        </Text>
      )}
    </Stack>
  );
}

function Paid({ row }: { row: TrackerRow }) {
  return (
    <Stack gap={0} align="flex-end">
      <Text size="sm" c={row.paid_cents > 0 ? 'teal' : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
        {formatMoney(row.paid_cents)}
      </Text>
      {row.status === 'partial' && (
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatMoney(row.remaining_cents)} left
        </Text>
      )}
    </Stack>
  );
}

function Actions({ row, actions }: { row: TrackerRow; actions: RowActions }) {
  const payable = !row.skipped && row.remaining_cents > 0;
  return (
    <Group gap={4} wrap="nowrap" justify="flex-end">
      {payable && (
        <Tooltip label={`Record ${formatMoney(row.remaining_cents)} paid today`} withArrow>
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => actions.quickPay(row)}
            aria-label={`Quick pay ${row.name}`}
          >
            Pay
          </Button>
        </Tooltip>
      )}
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" aria-label={`More for ${row.name}`}>
            <IconDots />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => actions.record(row)}>Record a payment…</Menu.Item>
          <Menu.Item onClick={() => actions.editOverride(row)}>Change this month…</Menu.Item>
          {row.payment_count > 0 && (
            <Menu.Item onClick={() => actions.removePayments(row)}>Remove payments…</Menu.Item>
          )}
          {row.autopay_payment_id != null && (
            <Menu.Item color="red" onClick={() => actions.autopayFailed(row)}>
              Autopay failed
            </Menu.Item>
          )}
          <Menu.Divider />
          <Menu.Item component={Link} to={`/bills/${row.bill_id}`}>
            Open the bill
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    </Group>
  );
}
