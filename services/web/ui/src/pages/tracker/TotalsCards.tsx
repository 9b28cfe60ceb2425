import { Paper, SimpleGrid, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { TrackerTotals } from '../../api/types';
import { formatMoney } from '../../money/format';

interface TotalsCardsProps {
  totals: TrackerTotals;
  /**
   * A card after the four, such as the month's starting money from the summary; give it the
   * `wide` class of TotalsCards.module.css so the rows come out even at every width.
   */
  extra?: ReactNode;
}

/** The month at a glance: due, paid, remaining and overdue, exactly as the server counts. */
export function TotalsCards({ totals, extra }: TotalsCardsProps) {
  const overdue = totals.overdue_count;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm" aria-label="Month totals">
      <TotalCard label="Due this month" value={formatMoney(totals.due_cents)} />
      <TotalCard label="Paid" value={formatMoney(totals.paid_cents)} color="teal" />
      <TotalCard label="Remaining" value={formatMoney(totals.remaining_cents)} />
      <TotalCard
        label="Overdue"
        value={overdue === 1 ? '1 bill' : `${overdue} bills`}
        color={overdue > 0 ? 'red' : undefined}
      />
      {extra}
    </SimpleGrid>
  );
}

/** One figure with its label; a group named by the label, so it reads as one. */
export function TotalCard({
  label,
  value,
  color,
}: {
  label: string;
  value: string;
  color?: string;
}) {
  return (
    <Paper withBorder p="sm" role="group" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid="total-value">
        {value}
      </Text>
    </Paper>
  );
}
