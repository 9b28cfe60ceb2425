import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import type { BulkPaid, Bucket } from '../../api/types';
import { Loading } from '../../components/QueryStatus';
import { showFailure, showUndo } from '../../components/undo';
import { formatMoney } from '../../money/format';
import { BUCKET_LABELS } from '../bills/labels';
import type { Month } from './month';
import { undoPayments, usePayAll } from './useTracker';

interface PayAllDialogProps {
  month: Month;
  bucket: Bucket;
  onClose: () => void;
}

/**
 * "Pay all due" in one bucket: the server counts what it would pay (a dry run), the user
 * confirms the count and total, and one Undo reverts every payment made.
 */
export function PayAllDialog({ month, bucket, onClose }: PayAllDialogProps) {
  const request = { year: month.year, month: month.month, bucket };
  const preview = useQuery({
    queryKey: ['pay-all-preview', request],
    queryFn: () =>
      api.post<BulkPaid>('/api/payments/bulk', { body: { ...request, dry_run: true } }),
    gcTime: 0,
    staleTime: 0,
  });
  const payAll = usePayAll();
  const label = BUCKET_LABELS[bucket];

  const confirm = () =>
    payAll.mutate(request, {
      onSuccess: (paid) => {
        showUndo({
          message: `Paid ${bills(paid.count)}: ${formatMoney(paid.total_cents)}.`,
          undone: `The ${bills(paid.count)} paid are unpaid again.`,
          undo: () => undoPayments(paid.payment_ids),
        });
        onClose();
      },
      onError: (error) => showFailure('Nothing was paid', error),
    });

  return (
    <Modal opened onClose={onClose} title={`Pay all due: ${label}`}>
      <Stack gap="sm">
        {preview.isPending && <Loading label="Counting what is due…" />}
        {preview.isError && (
          <Alert color="red" role="alert" title="Could not count what is due">
            <Text size="sm">{errorMessage(preview.error)}</Text>
          </Alert>
        )}
        {preview.data && preview.data.count === 0 && (
          <Text size="sm">Nothing in this bucket is due up to today; there is nothing to pay.</Text>
        )}
        {preview.data && preview.data.count > 0 && (
          <Text size="sm" data-testid="pay-all-summary">
            Record <b>{bills(preview.data.count)}</b> as paid today, for a total of{' '}
            <b>{formatMoney(preview.data.total_cents)}</b>: every unpaid bill of this bucket due up
            to today, each for what is still owed.
          </Text>
        )}
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            onClick={confirm}
            loading={payAll.isPending}
            disabled={!preview.data || preview.data.count === 0}
            data-autofocus
          >
            {preview.data && preview.data.count > 0 ? `Pay ${bills(preview.data.count)}` : 'Pay'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function bills(count: number): string {
  return count === 1 ? '1 bill' : `${count} bills`;
}
