import { ActionIcon, Badge, Button, Menu, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { Bill, Payment } from '../../api/types';
import { ActionsHeader } from '../../components/ActionsHeader';
import { formatFullDay } from '../../components/dates';
import { IconDots } from '../../components/icons';
import { LoadError, Loading } from '../../components/QueryStatus';
import { showFailure, showUndo } from '../../components/undo';
import { formatMoney } from '../../money/format';
import { PaymentDialog } from '../tracker/PaymentDialog';
import { restorePayment, useDeletePayment } from '../tracker/useTracker';
import { METHOD_LABELS } from './labels';
import { useBillPayments } from './useBills';

const SOURCE_LABELS: Record<Payment['source'], string> = {
  manual: 'Entered',
  autopay: 'Autopay',
  bank: 'Bank',
  import: 'Imported',
};

/** The bill's payments, newest first, a page at a time; each can be edited or deleted. */
export function PaymentHistory({ bill }: { bill: Bill }) {
  const history = useBillPayments(bill.id);
  const remove = useDeletePayment();
  const [editing, setEditing] = useState<Payment | null>(null);

  const deletePayment = (payment: Payment) =>
    remove.mutate(payment.id, {
      onSuccess: () =>
        showUndo({
          message: `Payment of ${formatMoney(payment.amount_cents)} deleted.`,
          undone: 'The payment is back.',
          undo: () => restorePayment(payment.id),
        }),
      onError: (error) => showFailure('The payment was not deleted', error),
    });

  let body;
  if (history.isPending) {
    body = <Loading />;
  } else if (history.isError) {
    body = (
      <LoadError
        title="Could not load the payments"
        error={history.error}
        retrying={history.isRefetching}
        onRetry={() => void history.refetch()}
      />
    );
  } else {
    const payments = history.data.pages.flatMap((page) => page.items);
    body =
      payments.length === 0 ? (
        <Text c="dimmed" size="sm">
          No payments yet.
        </Text>
      ) : (
        <>
          <Table striped aria-label="Payments" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Paid on</Table.Th>
                <Table.Th visibleFrom="sm">For the bill due</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th visibleFrom="sm">Method</Table.Th>
                <Table.Th visibleFrom="md">Note</Table.Th>
                <ActionsHeader />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {payments.map((payment) => (
                <Table.Tr key={payment.id}>
                  <Table.Td>
                    {formatFullDay(payment.paid_on)}
                    {payment.source !== 'manual' && (
                      <Badge size="xs" variant="light" color="gray" ml={6}>
                        {SOURCE_LABELS[payment.source]}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{formatFullDay(payment.due_date)}</Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {formatMoney(payment.amount_cents)}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{METHOD_LABELS[payment.method]}</Table.Td>
                  <Table.Td visibleFrom="md">{payment.note ?? ''}</Table.Td>
                  <Table.Td ta="right">
                    <Menu position="bottom-end" withinPortal>
                      <Menu.Target>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          aria-label={`Actions for the payment of ${formatFullDay(payment.paid_on)}`}
                        >
                          <IconDots />
                        </ActionIcon>
                      </Menu.Target>
                      <Menu.Dropdown>
                        <Menu.Item onClick={() => setEditing(payment)}>Edit</Menu.Item>
                        <Menu.Item color="red" onClick={() => deletePayment(payment)}>
                          Delete
                        </Menu.Item>
                      </Menu.Dropdown>
                    </Menu>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {history.hasNextPage && (
            <Button
              variant="default"
              onClick={() => void history.fetchNextPage()}
              loading={history.isFetchingNextPage}
              style={{ alignSelf: 'flex-start' }}
            >
              Load more
            </Button>
          )}
        </>
      );
  }

  return (
    <Stack gap="sm" component="section" aria-labelledby="payment-history">
      <Title order={3} size="h4" id="payment-history">
        Payment history
      </Title>
      {body}
      {editing && (
        <PaymentDialog
          target={{
            bill_id: bill.id,
            name: bill.name,
            due_date: editing.due_date,
            suggested_cents: editing.amount_cents,
          }}
          payment={editing}
          onClose={() => setEditing(null)}
        />
      )}
    </Stack>
  );
}
