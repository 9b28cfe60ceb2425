import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { showFailure } from '../../components/undo';
import { formatMoney } from '../../money/format';
import { daysLeft } from '../categories/DeletedCategories';
import { useDeletedBills, useRestoreBill } from './useBills';

/** "Recently deleted": bills kept 30 days after a delete, each with a Restore button. */
export function DeletedBills() {
  const deleted = useDeletedBills();
  const restore = useRestoreBill();

  if (!deleted.data || deleted.data.length === 0) {
    return null;
  }

  return (
    <Stack gap="xs" component="section" aria-label="Recently deleted bills">
      <Title order={3} size="h4">
        Recently deleted
      </Title>
      <Text size="sm" c="dimmed">
        A deleted bill is kept for 30 days with its payments, and comes back whole on restore.
      </Text>
      {deleted.data.map((bill) => (
        <Paper key={bill.id} withBorder p="sm">
          <Group justify="space-between" wrap="nowrap">
            <Stack gap={2}>
              <Text size="sm" fw={600}>
                {bill.name}
              </Text>
              <Text size="xs" c="dimmed">
                {formatMoney(bill.amount_cents)} · {daysLeft(bill.days_left)}
              </Text>
            </Stack>
            <Button
              variant="default"
              size="xs"
              loading={restore.isPending && restore.variables === bill.id}
              onClick={() =>
                restore.mutate(bill.id, {
                  onSuccess: () =>
                    notifications.show({ color: 'teal', message: `${bill.name} restored.` }),
                  onError: (error) => showFailure(`${bill.name} was not restored`, error),
                })
              }
            >
              Restore
            </Button>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}
