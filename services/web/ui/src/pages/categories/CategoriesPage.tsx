import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Group,
  Menu,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { queryClient } from '../../api/queryClient';
import type { Category } from '../../api/types';
import { ActionsHeader } from '../../components/ActionsHeader';
import { CategoryLabel } from '../../components/CategoryLabel';
import { IconDots } from '../../components/icons';
import { LoadError, Loading } from '../../components/QueryStatus';
import { showFailure, showUndo } from '../../components/undo';
import { CategoryDialog } from './CategoryDialog';
import { DeletedCategories } from './DeletedCategories';
import {
  categoriesQueryKey,
  restoreCategory,
  useCategories,
  useDeleteCategory,
} from './useCategories';

type Dialog = { kind: 'none' } | { kind: 'create' } | { kind: 'edit'; category: Category };

/** `/categories`: the user's categories with colour, bill count and the spending flag. */
export function CategoriesPage() {
  const [dialog, setDialog] = useState<Dialog>({ kind: 'none' });
  const close = () => setDialog({ kind: 'none' });

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Categories</Title>
        <Button onClick={() => setDialog({ kind: 'create' })}>New category</Button>
      </Group>

      <CategoryTable onEdit={(category) => setDialog({ kind: 'edit', category })} />
      <DeletedCategories />

      {dialog.kind === 'create' && <CategoryDialog onClose={close} />}
      {dialog.kind === 'edit' && <CategoryDialog category={dialog.category} onClose={close} />}
    </Stack>
  );
}

function CategoryTable({ onEdit }: { onEdit: (category: Category) => void }) {
  const categories = useCategories();
  const remove = useDeleteCategory();

  if (categories.isPending) {
    return <Loading />;
  }
  if (categories.isError) {
    return (
      <LoadError
        title="Could not load your categories"
        error={categories.error}
        retrying={categories.isRefetching}
        onRetry={() => void categories.refetch()}
      />
    );
  }
  if (categories.data.length === 0) {
    return (
      <Text c="dimmed">
        No categories yet. Categories group your bills, such as Housing, Utilities or Subscriptions;
        each has a colour that marks its bills in the tracker.
      </Text>
    );
  }

  const deleteCategory = (category: Category) =>
    remove.mutate(category.id, {
      onSuccess: () =>
        showUndo({
          message: `Category ${category.name} deleted.`,
          undone: `Category ${category.name} restored.`,
          undo: async () => {
            await restoreCategory(category.id);
            await queryClient.invalidateQueries({ queryKey: categoriesQueryKey });
          },
        }),
      onError: (error) => showFailure(`${category.name} was not deleted`, error),
    });

  return (
    <Table striped highlightOnHover aria-label="Categories">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Category</Table.Th>
          <Table.Th>Bills</Table.Th>
          <Table.Th visibleFrom="sm">Spending</Table.Th>
          <ActionsHeader />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {categories.data.map((category) => (
          <Table.Tr key={category.id}>
            <Table.Td>
              <CategoryLabel category={category} />
            </Table.Td>
            <Table.Td>
              {category.bill_count > 0 ? (
                <Anchor component={Link} to={`/bills?category=${category.id}`} size="sm">
                  {category.bill_count === 1 ? '1 bill' : `${category.bill_count} bills`}
                </Anchor>
              ) : (
                <Text size="sm" c="dimmed">
                  none
                </Text>
              )}
            </Table.Td>
            <Table.Td visibleFrom="sm">
              {category.counts_toward_spending ? (
                <Text size="sm">Counts toward spending</Text>
              ) : (
                <Badge variant="light" color="gray">
                  Not spending
                </Badge>
              )}
            </Table.Td>
            <Table.Td ta="right">
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={`Actions for ${category.name}`}
                  >
                    <IconDots />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => onEdit(category)}>Rename or recolour</Menu.Item>
                  <Menu.Divider />
                  <Menu.Item color="red" onClick={() => deleteCategory(category)}>
                    Delete
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
