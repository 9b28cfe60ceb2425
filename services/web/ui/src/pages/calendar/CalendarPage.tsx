import { Anchor, Badge, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { OccurrenceStatus } from '../../api/types';
import { formatMonth, toDay } from '../../components/dates';
import { STATUS_COLORS, STATUS_HINTS, STATUS_LABELS } from '../../components/OccurrenceStatus';
import { LoadError, Loading } from '../../components/QueryStatus';
import { MonthSwitcher, useMonthParam } from '../../components/MonthSwitcher';
import { DayDetails } from './DayDetails';
import { MonthGrid } from './MonthGrid';
import { useCalendar } from './useCalendar';

const LEGEND = Object.keys(STATUS_LABELS) as OccurrenceStatus[];

/**
 * `/calendar`: the month as a grid, each bill on its due date coloured by status and each
 * payment on its paid date. Choosing a day lists what is on it.
 */
export function CalendarPage() {
  const [month, setMonth] = useMonthParam();
  const calendar = useCalendar(month);
  const [chosen, setChosen] = useState<string | null>(null);

  // Today when it is in the shown month, else nothing, until the user picks a day.
  const today = toDay(new Date());
  const days = calendar.data?.days ?? [];
  const selected =
    days.find((day) => day.date === chosen) ?? days.find((day) => day.date === today) ?? null;

  return (
    <Stack gap="md" maw={1100}>
      <Group justify="space-between">
        <Title order={2}>Calendar</Title>
        <MonthSwitcher
          value={month}
          onChange={(next) => {
            setChosen(null);
            setMonth(next);
          }}
        />
      </Group>

      {calendar.isPending ? (
        <Loading />
      ) : calendar.isError ? (
        <LoadError
          title="Could not load the calendar"
          error={calendar.error}
          retrying={calendar.isRefetching}
          onRetry={() => void calendar.refetch()}
        />
      ) : (
        <>
          <MonthGrid
            days={calendar.data.days}
            selected={selected?.date ?? null}
            onSelect={setChosen}
            label={`Calendar for ${formatMonth(month.year, month.month)}`}
          />
          <Group gap="xs" aria-label="Colours" role="list">
            {LEGEND.map((status) => (
              <Badge
                key={status}
                role="listitem"
                color={STATUS_COLORS[status]}
                variant="light"
                title={STATUS_HINTS[status]}
              >
                {STATUS_LABELS[status]}
              </Badge>
            ))}
          </Group>
          {selected ? (
            <DayDetails day={selected} />
          ) : (
            <Text c="dimmed">Choose a day to see its bills and payments.</Text>
          )}
          <Text size="sm" c="dimmed">
            Want these dates in your calendar app?{' '}
            <Anchor component={Link} to="/settings/calendar">
              Subscribe to a calendar feed
            </Anchor>
            .
          </Text>
        </>
      )}
    </Stack>
  );
}
