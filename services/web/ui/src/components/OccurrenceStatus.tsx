import { Badge, type BadgeProps } from '@mantine/core';
import type { OccurrenceStatus } from '../api/types';

/** The status of an occurrence in the user's words, as the tracker and calendar show it. */
export const STATUS_LABELS: Record<OccurrenceStatus, string> = {
  paid: 'Paid',
  partial: 'Partly paid',
  due_today: 'Due today',
  due_soon: 'Due soon',
  upcoming: 'Upcoming',
  late: 'Late',
  missed: 'Missed',
  skipped: 'Skipped',
};

/** One Mantine colour per status: red for overdue, orange for due now, teal for paid. */
export const STATUS_COLORS: Record<OccurrenceStatus, string> = {
  paid: 'teal',
  partial: 'yellow',
  due_today: 'orange',
  due_soon: 'yellow',
  upcoming: 'blue',
  late: 'red',
  missed: 'grape',
  skipped: 'gray',
};

/** What each status means, for tooltips and the user guide. */
export const STATUS_HINTS: Record<OccurrenceStatus, string> = {
  paid: 'Paid in full',
  partial: 'Something was paid; the rest is still due',
  due_today: 'Unpaid and due today',
  due_soon: 'Unpaid and due within 3 days',
  upcoming: 'Unpaid and due later',
  late: 'Unpaid and past its due date this month',
  missed: 'Unpaid and its month has ended',
  skipped: 'Skipped this time: nothing is due',
};

interface StatusBadgeProps extends Omit<BadgeProps, 'color' | 'children'> {
  status: OccurrenceStatus;
  overpaid?: boolean;
}

/** A coloured badge with the status label ("Overpaid" for a paid occurrence paid over). */
export function StatusBadge({ status, overpaid = false, ...props }: StatusBadgeProps) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" {...props}>
      {status === 'paid' && overpaid ? 'Overpaid' : STATUS_LABELS[status]}
    </Badge>
  );
}
