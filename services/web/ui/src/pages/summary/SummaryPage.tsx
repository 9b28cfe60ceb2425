import { Card, Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { LoadError, Loading } from '../../components/QueryStatus';
import { MonthSwitcher, useMonthParam } from '../../components/MonthSwitcher';
import { PlanForm } from './PlanForm';
import { FiguresTable, SummaryCards } from './SummaryFigures';
import { useSummary } from './useSummary';

/**
 * `/summary`: the month's plan (starting money per bucket, income) and what the server
 * computes from it and the bills: what is left after bills, and what is safe to spend now.
 */
export function SummaryPage() {
  const [month, setMonth] = useMonthParam();
  const summary = useSummary(month);

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between">
        <Title order={2}>Summary</Title>
        <MonthSwitcher value={month} onChange={setMonth} />
      </Group>

      {summary.isPending ? (
        <Loading />
      ) : summary.isError ? (
        <LoadError
          title="Could not load the summary"
          error={summary.error}
          retrying={summary.isRefetching}
          onRetry={() => void summary.refetch()}
        />
      ) : (
        <>
          <SummaryCards summary={summary.data} />
          <Section title="By bucket">
            <FiguresTable summary={summary.data} />
          </Section>
          <Section title="Plan">
            {/* A new month starts a new form; a background refresh leaves the edits alone. */}
            <PlanForm key={`${month.year}-${month.month}`} month={month} summary={summary.data} />
          </Section>
          <Text size="xs" c="dimmed">
            Safe to spend is starting money plus income received, minus bills paid and minus the
            unpaid bills due before your next expected income.
          </Text>
        </>
      )}
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder padding="lg" component="section" aria-label={title}>
      <Stack gap="md">
        <Title order={3} size="h4">
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}
