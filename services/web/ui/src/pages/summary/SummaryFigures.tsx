import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Summary, SummaryFigures as Figures } from '../../api/types';
import { formatFullDay } from '../../components/dates';
import { formatMoney } from '../../money/format';
import { BUCKET_LABELS } from '../bills/labels';

/** The rows of the figures table: what each line is called and where its number is. */
const ROWS: { label: string; value: (figures: Figures) => number; strong?: boolean }[] = [
  { label: 'Starting money', value: (f) => f.starting_cents },
  { label: 'Income', value: (f) => f.income_cents },
  { label: 'of which received', value: (f) => f.income_received_cents },
  { label: 'Bills due', value: (f) => f.due_cents },
  { label: 'Paid', value: (f) => f.paid_cents },
  { label: 'Still to pay', value: (f) => f.remaining_cents },
  { label: 'Left after bills', value: (f) => f.left_after_bills_cents, strong: true },
];

/** The headline numbers of the month, as the server computed them. */
export function SummaryCards({ summary }: { summary: Summary }) {
  const { totals } = summary;
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
      <Figure
        label="Left after bills"
        value={formatMoney(totals.left_after_bills_cents)}
        danger={totals.shortfall}
        note={
          totals.shortfall ? (
            <Badge color="red" variant="filled">
              Shortfall
            </Badge>
          ) : (
            'Starting money and income, less the bills due'
          )
        }
      />
      <Figure
        label="Safe to spend"
        value={formatMoney(summary.safe_to_spend_cents)}
        danger={summary.safe_to_spend_cents < 0}
        note={
          summary.next_income_on
            ? `Until your next income on ${formatFullDay(summary.next_income_on)}`
            : 'No more income expected this month'
        }
      />
      <Figure
        label="Next income"
        value={summary.next_income_on ? formatFullDay(summary.next_income_on) : '—'}
        note="The next expected income not yet received"
      />
      <Figure
        label="Previous month's leftover"
        value={
          summary.previous_month_leftover_cents === null ||
          summary.previous_month_leftover_cents === undefined
            ? '—'
            : formatMoney(summary.previous_month_leftover_cents)
        }
        danger={(summary.previous_month_leftover_cents ?? 0) < 0}
        note="What last month had left after bills: a hint for your starting money"
      />
    </SimpleGrid>
  );
}

function Figure({
  label,
  value,
  note,
  danger = false,
}: {
  label: string;
  value: string;
  note: ReactNode;
  danger?: boolean;
}) {
  return (
    <Card withBorder padding="md" role="group" aria-label={label}>
      <Stack gap={4}>
        <Text size="sm" c="dimmed">
          {label}
        </Text>
        <Text size="xl" fw={700} c={danger ? 'red' : undefined}>
          {value}
        </Text>
        {typeof note === 'string' ? (
          <Text size="xs" c="dimmed">
            {note}
          </Text>
        ) : (
          <Group>{note}</Group>
        )}
      </Stack>
    </Card>
  );
}

/** Every figure for the month and per bucket, one column each. */
export function FiguresTable({ summary }: { summary: Summary }) {
  // The month first: on a phone it is the column in view, the buckets scroll in beside it.
  const columns = [
    { key: 'total', label: 'Month', figures: summary.totals },
    ...summary.buckets.map((bucket) => ({
      key: bucket.bucket,
      label: BUCKET_LABELS[bucket.bucket],
      figures: bucket.totals,
    })),
  ];

  return (
    <Table.ScrollContainer minWidth={560} type="native">
      <Table striped aria-label="Figures by bucket">
        <Table.Thead>
          <Table.Tr>
            {/* Relative: the hidden label stays inside the scrolling box on a phone. */}
            <Table.Th scope="col" pos="relative">
              <VisuallyHidden>Figure</VisuallyHidden>
            </Table.Th>
            {columns.map((column) => (
              <Table.Th key={column.key} scope="col" ta="right">
                {column.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {ROWS.map((row) => (
            <Table.Tr key={row.label}>
              <Table.Th
                scope="row"
                fw={row.strong ? 700 : 400}
                c={row.strong ? undefined : 'dimmed'}
              >
                {row.label}
              </Table.Th>
              {columns.map((column) => {
                const shortfall = row.strong && column.figures.shortfall;
                return (
                  <Table.Td
                    key={column.key}
                    ta="right"
                    fw={row.strong ? 700 : undefined}
                    c={shortfall ? 'red' : undefined}
                    style={{ whiteSpace: 'nowrap' }}
                  >
                    {formatMoney(row.value(column.figures))}
                    {shortfall && (
                      <Text span size="xs" c="red" ml={4}>
                        (shortfall)
                      </Text>
                    )}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
