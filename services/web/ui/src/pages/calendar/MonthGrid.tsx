import { Badge, Box, Group, Stack, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import type { CalendarDay, CalendarOccurrence } from '../../api/types';
import { parseDay, toDay } from '../../components/dates';
import { STATUS_COLORS, STATUS_LABELS } from '../../components/OccurrenceStatus';
import classes from './MonthGrid.module.css';

const weekdayShort = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const weekdayLong = new Intl.DateTimeFormat(undefined, { weekday: 'long' });
const dayLong = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
});

/** Sunday to Saturday, as the browser names them (2023-01-01 was a Sunday). */
const WEEKDAYS = Array.from({ length: 7 }, (_, i) => new Date(2023, 0, 1 + i)).map((date) => ({
  short: weekdayShort.format(date),
  long: weekdayLong.format(date),
}));

/** The most bills a day shows by name before "+N more". */
const NAMES_SHOWN = 3;

interface MonthGridProps {
  days: CalendarDay[];
  selected: string | null;
  onSelect: (date: string) => void;
  label: string;
}

/**
 * The month as weeks of days. Each day is a button: its bills coloured by status, a mark for
 * payments, and a summary for screen readers; choosing it opens the day's list.
 */
export function MonthGrid({ days, selected, onSelect, label }: MonthGridProps) {
  const first = days.length > 0 ? parseDay(days[0].date) : null;
  const leading = first ? first.getDay() : 0;
  const cells: (CalendarDay | null)[] = [...Array<null>(leading).fill(null), ...days];
  while (cells.length % 7 !== 0) {
    cells.push(null);
  }
  const weeks = Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
  const today = toDay(new Date());

  return (
    <table className={classes.grid} aria-label={label}>
      <thead>
        <tr>
          {WEEKDAYS.map((weekday) => (
            <th key={weekday.long} scope="col" abbr={weekday.long} className={classes.weekday}>
              {weekday.short}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((week, index) => (
          <tr key={index}>
            {week.map((day, column) =>
              day === null ? (
                <td key={`empty-${column}`} className={classes.empty} />
              ) : (
                <td key={day.date} className={classes.cell}>
                  <DayButton
                    day={day}
                    today={day.date === today}
                    selected={day.date === selected}
                    onSelect={() => onSelect(day.date)}
                  />
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DayButton({
  day,
  today,
  selected,
  onSelect,
}: {
  day: CalendarDay;
  today: boolean;
  selected: boolean;
  onSelect: () => void;
}) {
  const date = parseDay(day.date);
  const dayNumber = date ? date.getDate() : day.date;
  const hidden = day.occurrences.length - NAMES_SHOWN;

  return (
    <UnstyledButton
      className={classes.day}
      data-today={today || undefined}
      data-selected={selected || undefined}
      aria-pressed={selected}
      onClick={onSelect}
    >
      <Stack gap={2} align="stretch">
        <Text size="sm" fw={today ? 700 : 500} aria-hidden="true">
          {dayNumber}
        </Text>
        <VisuallyHidden>{describeDay(day, date)}</VisuallyHidden>
        {/* Phones: a coloured dot per bill. Wider screens: the names. */}
        <Group gap={3} hiddenFrom="sm" aria-hidden="true">
          {day.occurrences.map((occurrence) => (
            <Box
              key={occurrence.bill_id}
              className={classes.dot}
              bg={`${STATUS_COLORS[occurrence.status]}.6`}
            />
          ))}
          {day.payments.length > 0 && <Box className={classes.paymentDot} />}
        </Group>
        <Stack gap={2} visibleFrom="sm" aria-hidden="true">
          {day.occurrences.slice(0, NAMES_SHOWN).map((occurrence) => (
            <OccurrenceChip key={occurrence.bill_id} occurrence={occurrence} />
          ))}
          {hidden > 0 && (
            <Text size="xs" c="dimmed">
              +{hidden} more
            </Text>
          )}
          {day.payments.length > 0 && (
            <Text size="xs" c="teal" fw={600}>
              {day.payments.length === 1 ? '1 payment' : `${day.payments.length} payments`}
            </Text>
          )}
        </Stack>
      </Stack>
    </UnstyledButton>
  );
}

function OccurrenceChip({ occurrence }: { occurrence: CalendarOccurrence }) {
  return (
    <Badge
      color={STATUS_COLORS[occurrence.status]}
      variant="light"
      size="sm"
      radius="sm"
      fullWidth
      styles={{
        root: { justifyContent: 'flex-start' },
        label: { textTransform: 'none', textAlign: 'left' },
      }}
      title={`${occurrence.name}: ${STATUS_LABELS[occurrence.status]}`}
    >
      {occurrence.name}
    </Badge>
  );
}

/** "Friday, December 4: 2 bills (1 late), 1 payment" for screen readers. */
function describeDay(day: CalendarDay, date: Date | null): string {
  const parts: string[] = [];
  if (day.occurrences.length > 0) {
    const statuses = [...new Set(day.occurrences.map((o) => STATUS_LABELS[o.status]))];
    const bills = day.occurrences.length === 1 ? '1 bill' : `${day.occurrences.length} bills`;
    parts.push(`${bills} (${statuses.join(', ').toLowerCase()})`);
  }
  if (day.payments.length > 0) {
    parts.push(day.payments.length === 1 ? '1 payment' : `${day.payments.length} payments`);
  }
  const name = date ? dayLong.format(date) : day.date;
  return parts.length === 0 ? `${name}: nothing` : `${name}: ${parts.join(', ')}`;
}
