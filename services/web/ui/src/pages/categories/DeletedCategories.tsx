import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { CategoryLabel } from '../../components/CategoryLabel';
import { showFailure } from '../../components/undo';
import { useDeletedCategories, useRestoreCategory } from './useCategories';

/** "Recently deleted": categories kept 30 days after a delete, each with a Restore button. */
export function DeletedCategories() {
  const deleted = useDeletedCategories();
  const restore = useRestoreCategory();

  if (!deleted.data || deleted.data.length === 0) {
    return null;
  }

  return (
    <Stack gap="xs" component="section" aria-label="Recently deleted categories">
      <Title order={3} size="h4">
        Recently deleted
      </Title>
      <Text size="sm" c="dimmed">
        A deleted category is kept for 30 days. Its bills keep it until then.
      </Text>
      {deleted.data.map((category) => (
        <Paper key={category.id} withBorder p="sm">
          <Group justify="space-between" wrap="nowrap">
            <Stack gap={2}>
              <CategoryLabel category={category} />
              <Text size="xs" c="dimmed">
                {daysLeft(category.days_left)}
              </Text>
            </Stack>
            <Button
              variant="default"
              size="xs"
              loading={restore.isPending && restore.variables === category.id}
              onClick={() =>
                restore.mutate(category.id, {
                  onSuccess: () =>
                    notifications.show({
                      color: 'teal',
                      message: `Category ${category.name} restored.`,
                    }),
                  onError: (error) => showFailure(`${category.name} was not restored`, error),
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

/** "3 days left to restore". */
export function daysLeft(days: number | null | undefined): string {
  if (days === null || days === undefined) {
    return '';
  }
  if (days <= 1) {
    return 'Last day to restore';
  }
  return `${days} days left to restore`;
}
