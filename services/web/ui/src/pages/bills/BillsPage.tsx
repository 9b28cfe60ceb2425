import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Group,
  Menu,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Bill, Category } from '../../api/types';
import { ActionsHeader } from '../../components/ActionsHeader';
import { CategoryLabel } from '../../components/CategoryLabel';
import { formatFullDay } from '../../components/dates';
import { IconDots } from '../../components/icons';
import { LoadError, Loading } from '../../components/QueryStatus';
import { formatMoney } from '../../money/format';
import { useCategories } from '../categories/useCategories';
import { BillEditor } from './BillEditor';
import { DeletedBills } from './DeletedBills';
import { CYCLE_LABELS, usesDueDay } from './labels';
import { useBillActions } from './useBillActions';
import { type BillFilter, useBills } from './useBills';

type Dialog = { kind: 'none' } | { kind: 'create' } | { kind: 'edit'; bill: Bill };

/**
 * `/bills`: every bill, with search and filters kept in the address (`?q=&category=&active=`),
 * the editor, and the recently deleted bills.
 */
export function BillsPage() {
  const [params, setParams] = useSearchParams();
  const [dialog, setDialog] = useState<Dialog>({ kind: 'none' });
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(search.trim(), 250);
  const categories = useCategories();

  const category = params.get('category');
  const active = params.get('active');
  const filter: BillFilter = {
    q: q || undefined,
    category_id: category ? Number(category) : undefined,
    active: active === 'true' ? true : active === 'false' ? false : undefined,
  };

  const setParam = (name: string, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value === null || value === '') {
          next.delete(name);
        } else {
          next.set(name, value);
        }
        return next;
      },
      { replace: true },
    );

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Bills</Title>
        <Button onClick={() => setDialog({ kind: 'create' })}>New bill</Button>
      </Group>

      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Name or notes"
          type="search"
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            setParam('q', event.currentTarget.value.trim());
          }}
          style={{ flex: '1 1 200px' }}
        />
        <Select
          label="Category"
          placeholder="All categories"
          clearable
          data={(categories.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
          value={category}
          onChange={(value) => setParam('category', value)}
          style={{ flex: '1 1 180px' }}
        />
        <SegmentedControl
          aria-label="Show"
          data={[
            { value: '', label: 'All' },
            { value: 'true', label: 'Active' },
            { value: 'false', label: 'Inactive' },
          ]}
          value={active ?? ''}
          onChange={(value) => setParam('active', value)}
        />
      </Group>

      <BillTable
        filter={filter}
        filtered={!!(filter.q || category || active)}
        categories={categories.data ?? []}
        onEdit={(bill) => setDialog({ kind: 'edit', bill })}
      />

      <DeletedBills />

      {dialog.kind === 'create' && <BillEditor onClose={() => setDialog({ kind: 'none' })} />}
      {dialog.kind === 'edit' && (
        <BillEditor bill={dialog.bill} onClose={() => setDialog({ kind: 'none' })} />
      )}
    </Stack>
  );
}

interface BillTableProps {
  filter: BillFilter;
  filtered: boolean;
  categories: Category[];
  onEdit: (bill: Bill) => void;
}

function BillTable({ filter, filtered, categories, onEdit }: BillTableProps) {
  const bills = useBills(filter);
  const actions = useBillActions();

  if (bills.isPending) {
    return <Loading />;
  }
  if (bills.isError) {
    return (
      <LoadError
        title="Could not load your bills"
        error={bills.error}
        retrying={bills.isRefetching}
        onRetry={() => void bills.refetch()}
      />
    );
  }
  if (bills.data.length === 0) {
    return (
      <Text c="dimmed">
        {filtered
          ? 'No bill matches these filters.'
          : 'No bills yet. Add the bills you pay every month, quarter or year with “New bill”.'}
      </Text>
    );
  }

  const categoryOf = (bill: Bill) => categories.find((c) => c.id === bill.category_id);

  return (
    <Table striped highlightOnHover aria-label="Bills" verticalSpacing="xs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Bill</Table.Th>
          <Table.Th visibleFrom="sm">Category</Table.Th>
          <Table.Th ta="right">Amount</Table.Th>
          <Table.Th visibleFrom="md">Comes due</Table.Th>
          <Table.Th visibleFrom="sm">Next due</Table.Th>
          <ActionsHeader />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {bills.data.map((bill) => (
          <Table.Tr key={bill.id}>
            <Table.Td>
              <Stack gap={2}>
                <Group gap={6} wrap="wrap">
                  <Anchor component={Link} to={`/bills/${bill.id}`} fw={600} size="sm">
                    {bill.name}
                  </Anchor>
                  {!bill.active && (
                    <Badge size="xs" variant="light" color="gray">
                      Inactive
                    </Badge>
                  )}
                  {bill.autopay && (
                    <Badge size="xs" variant="light" color="indigo">
                      Autopay
                    </Badge>
                  )}
                </Group>
                <Stack gap={0} hiddenFrom="sm">
                  <CategoryLabel category={categoryOf(bill)} />
                  <Text size="xs" c="dimmed">
                    {schedule(bill)}
                  </Text>
                </Stack>
              </Stack>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <CategoryLabel category={categoryOf(bill)} />
            </Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
              <Text size="sm">{formatMoney(bill.amount_cents)}</Text>
              {bill.amount_kind === 'variable' && (
                <Text size="xs" c="dimmed">
                  estimate
                </Text>
              )}
            </Table.Td>
            <Table.Td visibleFrom="md">{schedule(bill)}</Table.Td>
            <Table.Td visibleFrom="sm">
              {bill.next_due_date ? formatFullDay(bill.next_due_date) : '—'}
            </Table.Td>
            <Table.Td ta="right">
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${bill.name}`}>
                    <IconDots />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item component={Link} to={`/bills/${bill.id}`}>
                    Open
                  </Menu.Item>
                  <Menu.Item onClick={() => onEdit(bill)}>Edit</Menu.Item>
                  <Menu.Item onClick={() => actions.duplicate(bill)}>Duplicate</Menu.Item>
                  <Menu.Item onClick={() => actions.setActive(bill, !bill.active)}>
                    {bill.active ? 'Deactivate' : 'Reactivate'}
                  </Menu.Item>
                  <Menu.Divider />
                  <Menu.Item color="red" onClick={() => actions.remove(bill)}>
                    Delete
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** "Monthly on day 5", "Every two weeks". */
export function schedule(bill: Bill): string {
  const cycle = CYCLE_LABELS[bill.cycle];
  return usesDueDay(bill.cycle) && bill.due_day ? `${cycle} on day ${bill.due_day}` : cycle;
}
