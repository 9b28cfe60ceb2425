import { Anchor, Paper, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Summary } from '../../api/types';
import { formatMonth } from '../../components/dates';
import { formatMoney } from '../../money/format';
import { useSummary } from '../summary/useSummary';
import type { Month } from './month';
import classes from './TotalsCards.module.css';

/**
 * The month's starting money and what is left after its bills, as the Summary page plans them
 * and the server computes them, with a way there to change the plan.
 */
export function StartingMoneyCard({ month }: { month: Month }) {
  const summary = useSummary(month);
  const planLink = `/summary?year=${month.year}&month=${month.month}`;

  return (
    <Paper withBorder p="sm" role="group" aria-label="Starting money" className={classes.wide}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        Starting money
      </Text>
      {summary.isPending && (
        <Text size="sm" c="dimmed" role="status">
          Loading…
        </Text>
      )}
      {summary.isError && (
        <Text size="sm" c="red">
          Could not load the plan.{' '}
          <Anchor component="button" size="sm" onClick={() => void summary.refetch()}>
            Try again
          </Anchor>
        </Text>
      )}
      {summary.data &&
        (isPlanned(summary.data) ? (
          <Planned summary={summary.data} planLink={planLink} />
        ) : (
          <>
            <Text size="sm" mt={4} data-testid="starting-money-empty">
              Nothing planned for {formatMonth(month.year, month.month)} yet.
            </Text>
            <Anchor component={Link} to={planLink} size="sm">
              Set starting money
            </Anchor>
          </>
        ))}
    </Paper>
  );
}

function Planned({ summary, planLink }: { summary: Summary; planLink: string }) {
  const { totals } = summary;
  return (
    <>
      <Text size="xl" fw={700} data-testid="starting-money">
        {formatMoney(totals.starting_cents)}
      </Text>
      <Text size="sm" data-testid="left-after-bills">
        Left after bills:{' '}
        <Text span inherit fw={600} c={totals.shortfall ? 'red' : undefined}>
          {formatMoney(totals.left_after_bills_cents)}
          {totals.shortfall && ' (shortfall)'}
        </Text>
      </Text>
      <Anchor component={Link} to={planLink} size="sm">
        Change the plan
      </Anchor>
    </>
  );
}

/** A month is planned once it has starting money or income; the server's total says which. */
function isPlanned(summary: Summary): boolean {
  return summary.totals.starting_cents !== 0 || summary.income.length > 0;
}
