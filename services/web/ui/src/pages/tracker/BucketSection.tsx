import { Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { Category, TrackerBucket } from '../../api/types';
import { ActionsHeader } from '../../components/ActionsHeader';
import { formatMoney } from '../../money/format';
import { BUCKET_HINTS, BUCKET_LABELS } from '../bills/labels';
import { type SortOrder, sortRows } from './month';
import { OccurrenceCard, OccurrenceTableRow, type RowActions } from './OccurrenceRow';

interface BucketSectionProps {
  bucket: TrackerBucket;
  year: number;
  today: string;
  sort: SortOrder;
  categories: Map<number, Category>;
  compact: boolean;
  actions: RowActions;
  onPayAll: () => void;
}

/** One bucket of the month: its subtotal, "Pay all due" and its occurrences. */
export function BucketSection(props: BucketSectionProps) {
  const { bucket, year, today, sort, categories, compact, actions, onPayAll } = props;
  const label = BUCKET_LABELS[bucket.bucket];
  const titleId = `bucket-${bucket.bucket}`;
  // The same rule as the server's: unpaid, not skipped, due up to today.
  const somethingDue = bucket.rows.some(
    (row) => !row.skipped && row.remaining_cents > 0 && row.due_date <= today,
  );
  const rows = sortRows(bucket.rows, sort);
  const categoryOf = (id: number | null | undefined) =>
    id === null || id === undefined ? undefined : categories.get(id);

  return (
    <Stack gap="xs" component="section" aria-labelledby={titleId}>
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="xs">
        <Stack gap={0}>
          <Title order={3} size="h4" id={titleId}>
            {label}
          </Title>
          <Text size="xs" c="dimmed">
            {BUCKET_HINTS[bucket.bucket]}
          </Text>
        </Stack>
        <Group gap="sm" wrap="wrap">
          <Text size="sm" data-testid="bucket-subtotal">
            Due {formatMoney(bucket.totals.due_cents)} · Paid{' '}
            {formatMoney(bucket.totals.paid_cents)} · Remaining{' '}
            <b>{formatMoney(bucket.totals.remaining_cents)}</b>
          </Text>
          {somethingDue && (
            <Button size="xs" variant="light" onClick={onPayAll}>
              Pay all due
            </Button>
          )}
        </Group>
      </Group>

      {compact ? (
        <Stack gap="xs">
          {rows.map((row) => (
            <OccurrenceCard
              key={`${row.bill_id}-${row.due_date}`}
              row={row}
              category={categoryOf(row.category_id)}
              year={year}
              actions={actions}
            />
          ))}
        </Stack>
      ) : (
        <Table highlightOnHover verticalSpacing="xs" aria-labelledby={titleId} layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={130}>Status</Table.Th>
              <Table.Th>Bill</Table.Th>
              <Table.Th w="20%">Category</Table.Th>
              <Table.Th w={90}>Due</Table.Th>
              <Table.Th w={130} ta="right">
                Amount due
              </Table.Th>
              <Table.Th w={120} ta="right">
                Paid
              </Table.Th>
              <ActionsHeader w={110} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <OccurrenceTableRow
                key={`${row.bill_id}-${row.due_date}`}
                row={row}
                category={categoryOf(row.category_id)}
                year={year}
                actions={actions}
              />
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
