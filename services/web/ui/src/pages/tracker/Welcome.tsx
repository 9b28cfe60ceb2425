import { Anchor, Button, Card, Group, List, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { IconCheck } from '../../components/icons';
import { BillEditor } from '../bills/BillEditor';
import { CategoryDialog } from '../categories/CategoryDialog';
import { useCategories } from '../categories/useCategories';

/** The home page of someone with no bills yet: what BillTracker does and what to do first. */
export function Welcome() {
  const categories = useCategories();
  const [dialog, setDialog] = useState<'none' | 'category' | 'bill'>('none');
  const hasCategory = (categories.data?.length ?? 0) > 0;

  return (
    <Card withBorder padding="lg" maw={720}>
      <Stack gap="md">
        <Title order={2}>Welcome to BillTracker</Title>
        <Text>
          BillTracker keeps your household&apos;s recurring bills in one place: what is due this
          month, what has been paid and what is late. Once your bills are in, this page becomes your
          monthly tracker.
        </Text>
        <List spacing="sm" center>
          <List.Item icon={<Step done={hasCategory} number={1} />}>
            <Text fw={600}>Create a category</Text>
            <Text size="sm" c="dimmed">
              Such as Housing, Utilities or Subscriptions. Each has a colour that marks its bills.
            </Text>
          </List.Item>
          <List.Item icon={<Step done={false} number={2} />}>
            <Text fw={600}>Add a bill</Text>
            <Text size="sm" c="dimmed">
              Its amount, how often it comes due and on which day. Add every bill you pay.
            </Text>
          </List.Item>
          <List.Item icon={<Step done={false} number={3} />}>
            <Text fw={600}>Mark bills paid as you pay them</Text>
            <Text size="sm" c="dimmed">
              The tracker shows each month&apos;s bills with what is due, paid and still to pay.
            </Text>
          </List.Item>
        </List>
        <Group gap="sm">
          <Button
            variant={hasCategory ? 'default' : 'filled'}
            onClick={() => setDialog('category')}
          >
            Create a category
          </Button>
          <Button variant={hasCategory ? 'filled' : 'default'} onClick={() => setDialog('bill')}>
            Add a bill
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          Manage them later under{' '}
          <Anchor component={Link} to="/categories">
            Categories
          </Anchor>{' '}
          and{' '}
          <Anchor component={Link} to="/bills">
            Bills
          </Anchor>
          .
        </Text>
      </Stack>
      {dialog === 'category' && <CategoryDialog onClose={() => setDialog('none')} />}
      {dialog === 'bill' && <BillEditor onClose={() => setDialog('none')} />}
    </Card>
  );
}

function Step({ done, number }: { done: boolean; number: number }) {
  return (
    <ThemeIcon
      radius="xl"
      size={26}
      variant={done ? 'filled' : 'light'}
      aria-label={done ? 'Done' : `Step ${number}`}
    >
      {done ? <IconCheck /> : <Text size="sm">{number}</Text>}
    </ThemeIcon>
  );
}
