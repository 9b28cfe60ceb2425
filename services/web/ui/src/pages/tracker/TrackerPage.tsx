import {
  Button,
  Group,
  Kbd,
  SegmentedControl,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Bucket, Category, TrackerRow } from '../../api/types';
import { formatMonth } from '../../components/dates';
import { LoadError, Loading } from '../../components/QueryStatus';
import { openQuickFinder } from '../../components/QuickFinder';
import { showFailure, showUndo } from '../../components/undo';
import { formatMoney } from '../../money/format';
import { BillEditor } from '../bills/BillEditor';
import { useBills } from '../bills/useBills';
import { useCategories } from '../categories/useCategories';
import { BucketSection } from './BucketSection';
import { type Month, readView, shiftMonth, type SortOrder } from './month';
import { type RowActions } from './OccurrenceRow';
import { OverduePanel } from './OverduePanel';
import { OverrideDialog } from './OverrideDialog';
import { PayAllDialog } from './PayAllDialog';
import { PaymentDialog } from './PaymentDialog';
import { RemovePaymentsDialog } from './RemovePaymentsDialog';
import { StartingMoneyCard } from './StartingMoneyCard';
import { TotalsCards } from './TotalsCards';
import {
  restorePayment,
  undoPayment,
  useMarkAutopayFailed,
  useQuickPay,
  useTracker,
} from './useTracker';
import { Welcome } from './Welcome';

/** `/`: the monthly tracker, or the first steps for someone with no bills yet. */
export function TrackerPage() {
  const bills = useBills();

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
  return bills.data.length === 0 ? <Welcome /> : <MonthTracker />;
}

type Dialog =
  | { kind: 'none' }
  | { kind: 'record' | 'override' | 'remove'; row: TrackerRow }
  | { kind: 'pay-all'; month: Month; bucket: Bucket }
  | { kind: 'new-bill' };

/** The month of the address (`?year=&month=&sort=`), the current month without one. */
function MonthTracker() {
  const [params] = useSearchParams();
  const view = readView(params);
  const tracker = useTracker(view.month);
  const categories = useCategories();
  const quickPay = useQuickPay();
  const markAutopayFailed = useMarkAutopayFailed();
  const compact = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  const [dialog, setDialog] = useState<Dialog>({ kind: 'none' });
  const close = () => setDialog({ kind: 'none' });

  const categoryById = useMemo(
    () => new Map<number, Category>((categories.data ?? []).map((c) => [c.id, c])),
    [categories.data],
  );

  if (tracker.isPending) {
    return <Loading />;
  }
  if (tracker.isError) {
    return (
      <LoadError
        title="Could not load the tracker"
        error={tracker.error}
        retrying={tracker.isRefetching}
        onRetry={() => void tracker.refetch()}
      />
    );
  }

  const data = tracker.data;
  const shown: Month = { year: data.year, month: data.month };
  const buckets = data.buckets.filter((bucket) => bucket.rows.length > 0);

  const actions: RowActions = {
    quickPay: (row) =>
      quickPay.mutate(
        { row },
        {
          onSuccess: (payment) =>
            showUndo({
              message: `${row.name} paid: ${formatMoney(payment.amount_cents)}.`,
              undone: `${row.name} is unpaid again.`,
              undo: () => undoPayment(payment.id),
            }),
          onError: (error) => showFailure(`${row.name} was not paid`, error),
        },
      ),
    record: (row) => setDialog({ kind: 'record', row }),
    editOverride: (row) => setDialog({ kind: 'override', row }),
    removePayments: (row) => setDialog({ kind: 'remove', row }),
    autopayFailed: (row) => {
      const paymentId = row.autopay_payment_id;
      if (paymentId == null) {
        return;
      }
      markAutopayFailed.mutate(paymentId, {
        onSuccess: () =>
          showUndo({
            message: `${row.name}: autopay marked as failed, it is unpaid again.`,
            undone: `${row.name} is paid by autopay again.`,
            undo: () => restorePayment(paymentId),
          }),
        onError: (error) => showFailure(`${row.name}: autopay was not marked as failed`, error),
      });
    },
  };

  return (
    <Stack gap="lg">
      <MonthHeader
        shown={shown}
        sort={view.sort}
        loading={tracker.isPlaceholderData}
        onNewBill={() => setDialog({ kind: 'new-bill' })}
      />

      <TotalsCards totals={data.totals} extra={<StartingMoneyCard month={shown} />} />

      <OverduePanel today={data.today} onPay={actions.quickPay} />

      {buckets.length === 0 && (
        <Text c="dimmed">
          No bills are due in {formatMonth(shown.year, shown.month)}. Bills that come due less often
          than monthly show only in their months.
        </Text>
      )}
      {buckets.map((bucket) => (
        <BucketSection
          key={bucket.bucket}
          bucket={bucket}
          year={shown.year}
          today={data.today}
          sort={view.sort}
          categories={categoryById}
          compact={compact}
          actions={actions}
          onPayAll={() => setDialog({ kind: 'pay-all', month: shown, bucket: bucket.bucket })}
        />
      ))}

      {dialog.kind === 'record' && (
        <PaymentDialog
          target={{
            bill_id: dialog.row.bill_id,
            name: dialog.row.name,
            due_date: dialog.row.due_date,
            suggested_cents: dialog.row.remaining_cents || dialog.row.amount_due_cents,
          }}
          today={data.today}
          onClose={close}
        />
      )}
      {dialog.kind === 'override' && <OverrideDialog row={dialog.row} onClose={close} />}
      {dialog.kind === 'remove' && <RemovePaymentsDialog row={dialog.row} onClose={close} />}
      {dialog.kind === 'new-bill' && <BillEditor onClose={close} />}
      {dialog.kind === 'pay-all' && (
        <PayAllDialog month={dialog.month} bucket={dialog.bucket} onClose={close} />
      )}
    </Stack>
  );
}

/** The month's name, previous / this month / next, the sort order and the finder. */
function MonthHeader({
  shown,
  sort,
  loading,
  onNewBill,
}: {
  shown: Month;
  sort: SortOrder;
  loading: boolean;
  onNewBill: () => void;
}) {
  const [, setParams] = useSearchParams();
  const link = (month: Month | null) => {
    const params = new URLSearchParams();
    if (month) {
      params.set('year', String(month.year));
      params.set('month', String(month.month));
    }
    if (sort !== 'pin') {
      params.set('sort', sort);
    }
    const text = params.toString();
    return text === '' ? '/' : `/?${text}`;
  };
  const previous = shiftMonth(shown, -1);
  const next = shiftMonth(shown, 1);

  return (
    <Group justify="space-between" wrap="wrap" gap="sm">
      <Group gap="xs" wrap="nowrap">
        <Button
          component={Link}
          to={link(previous)}
          variant="default"
          size="xs"
          aria-label={`Previous month, ${formatMonth(previous.year, previous.month)}`}
        >
          ‹
        </Button>
        <Title order={2} aria-live="polite" style={{ opacity: loading ? 0.6 : 1 }}>
          {formatMonth(shown.year, shown.month)}
        </Title>
        <Button
          component={Link}
          to={link(next)}
          variant="default"
          size="xs"
          aria-label={`Next month, ${formatMonth(next.year, next.month)}`}
        >
          ›
        </Button>
      </Group>
      <Group gap="sm" wrap="wrap">
        <Button component={Link} to={link(null)} variant="subtle" size="xs">
          This month
        </Button>
        <SegmentedControl
          size="xs"
          aria-label="Order"
          value={sort}
          onChange={(value) =>
            setParams(
              (current) => {
                const params = new URLSearchParams(current);
                if (value === 'pin') {
                  params.delete('sort');
                } else {
                  params.set('sort', value);
                }
                return params;
              },
              { replace: true },
            )
          }
          data={[
            { value: 'pin', label: 'Pin due' },
            { value: 'date', label: 'By date' },
          ]}
        />
        <Button variant="default" size="xs" onClick={openQuickFinder}>
          Find a bill
          <VisuallyHidden> (Control K)</VisuallyHidden>
          <Kbd size="xs" ml={6} aria-hidden>
            Ctrl K
          </Kbd>
        </Button>
        <Button size="xs" onClick={onNewBill}>
          New bill
        </Button>
      </Group>
    </Group>
  );
}
