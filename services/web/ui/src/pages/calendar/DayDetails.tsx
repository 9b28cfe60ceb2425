import { Anchor, Card, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { CalendarDay } from '../../api/types';
import { formatDay, formatFullDay } from '../../components/dates';
import { StatusBadge } from '../../components/OccurrenceStatus';
import { formatMoney } from '../../money/format';

/** The bills due and the payments made on one day, with the server's amounts. */
export function DayDetails({ day }: { day: CalendarDay }) {
  const title = formatFullDay(day.date);
  const empty = day.occurrences.length === 0 && day.payments.length === 0;

  return (
    <Card withBorder padding="md" component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={3} size="h4">
          {title}
        </Title>
        {empty && <Text c="dimmed">No bills are due and nothing was paid on this day.</Text>}

        {day.occurrences.length > 0 && (
          <Table.ScrollContainer minWidth={320} type="native">
            <Table aria-label="Bills due">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Bill due</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Due</Table.Th>
                  <Table.Th ta="right" visibleFrom="xs">
                    Still to pay
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {day.occurrences.map((occurrence) => (
                  <Table.Tr key={occurrence.bill_id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/bills/${occurrence.bill_id}`}>
                        {occurrence.name}
                      </Anchor>
                      {occurrence.autopay && (
                        <Text span size="xs" c="dimmed" ml={6}>
                          autopay
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={occurrence.status} />
                    </Table.Td>
                    <Table.Td ta="right">{formatMoney(occurrence.amount_due_cents)}</Table.Td>
                    <Table.Td ta="right" visibleFrom="xs">
                      {formatMoney(occurrence.remaining_cents)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}

        {day.payments.length > 0 && (
          <Table.ScrollContainer minWidth={320} type="native">
            <Table aria-label="Payments made">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Payment</Table.Th>
                  <Table.Th>For the bill due</Table.Th>
                  <Table.Th ta="right">Amount</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {day.payments.map((payment) => (
                  <Table.Tr key={payment.id}>
                    <Table.Td>{payment.name}</Table.Td>
                    <Table.Td>{formatDay(payment.due_date, Number(day.date.slice(0, 4)))}</Table.Td>
                    <Table.Td ta="right">{formatMoney(payment.amount_cents)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
