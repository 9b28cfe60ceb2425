import { ActionIcon, Button, Group, Text } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { formatMonth } from './dates';
import { IconChevronLeft, IconChevronRight } from './icons';

/** A calendar month: `month` is 1 to 12. */
export interface Month {
  year: number;
  month: number;
}

/** The month the browser is in. */
export function currentMonth(): Month {
  const now = new Date();
  return { year: now.getFullYear(), month: now.getMonth() + 1 };
}

/** The month `delta` months after `month` (before, when negative). */
export function addMonths({ year, month }: Month, delta: number): Month {
  const index = year * 12 + (month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/**
 * The month a page shows, kept in the address (`?year=2026&month=12`) so that a view can be
 * bookmarked; the current month when the address names none or an impossible one.
 */
export function useMonthParam(): [Month, (month: Month) => void] {
  const [params, setParams] = useSearchParams();
  const year = Number(params.get('year'));
  const month = Number(params.get('month'));
  const valid =
    Number.isInteger(year) &&
    year >= 1970 &&
    year <= 2200 &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12;
  const shown = valid ? { year, month } : currentMonth();

  const show = (next: Month) =>
    setParams((previous) => {
      const updated = new URLSearchParams(previous);
      updated.set('year', String(next.year));
      updated.set('month', String(next.month));
      return updated;
    });
  return [shown, show];
}

/** Previous month, the month's name, next month, and a way back to this month. */
export function MonthSwitcher({ value, onChange }: { value: Month; onChange: (m: Month) => void }) {
  const today = currentMonth();
  const isCurrent = value.year === today.year && value.month === today.month;

  return (
    <Group gap="xs" wrap="nowrap" role="group" aria-label="Month">
      <ActionIcon
        variant="default"
        size="lg"
        aria-label="Previous month"
        onClick={() => onChange(addMonths(value, -1))}
      >
        <IconChevronLeft />
      </ActionIcon>
      <Text fw={600} miw={130} ta="center" aria-live="polite">
        {formatMonth(value.year, value.month)}
      </Text>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label="Next month"
        onClick={() => onChange(addMonths(value, 1))}
      >
        <IconChevronRight />
      </ActionIcon>
      {!isCurrent && (
        <Button variant="subtle" size="compact-sm" onClick={() => onChange(today)}>
          This month
        </Button>
      )}
    </Group>
  );
}
