import {
  Anchor,
  Badge,
  Button,
  Group,
  Menu,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { hasCode } from '../../api/errors';
import type { Bill } from '../../api/types';
import { CategoryLabel } from '../../components/CategoryLabel';
import { formatFullDay } from '../../components/dates';
import { LoadError, Loading } from '../../components/QueryStatus';
import { formatMoney } from '../../money/format';
import { useCategories } from '../categories/useCategories';
import { BillEditor } from './BillEditor';
import { schedule } from './BillsPage';
import { BUCKET_LABELS } from './labels';
import { PaymentHistory } from './PaymentHistory';
import { useBillActions } from './useBillActions';
import { useBill } from './useBills';

/** `/bills/:id`: one bill with every field, its actions and its payment history. */
export function BillPage() {
  const id = Number(useParams().id);
  const bill = useBill(id);

  if (bill.isPending) {
    return <Loading />;
  }
  if (bill.isError) {
    if (hasCode(bill.error, 'NOT_FOUND')) {
      return (
        <Stack gap="sm" align="flex-start">
          <Title order={2}>Bill not found</Title>
          <Text>It may have been deleted. Deleted bills can be restored from the Bills page.</Text>
          <Button component={Link} to="/bills">
            Go to Bills
          </Button>
        </Stack>
      );
    }
    return (
      <LoadError
        title="Could not load the bill"
        error={bill.error}
        retrying={bill.isRefetching}
        onRetry={() => void bill.refetch()}
      />
    );
  }
  return <BillDetails bill={bill.data} />;
}

function BillDetails({ bill }: { bill: Bill }) {
  const navigate = useNavigate();
  const categories = useCategories();
  const actions = useBillActions();
  const [editing, setEditing] = useState(false);
  const category = categories.data?.find((c) => c.id === bill.category_id);

  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/bills" size="sm">
        ‹ All bills
      </Anchor>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="wrap">
          <Title order={2}>{bill.name}</Title>
          {!bill.active && (
            <Badge variant="light" color="gray">
              Inactive
            </Badge>
          )}
          {bill.autopay && (
            <Badge variant="light" color="indigo">
              Autopay
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <Button onClick={() => setEditing(true)}>Edit</Button>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button variant="default">More</Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item
                onClick={() =>
                  actions.duplicate(bill, (copy) => void navigate(`/bills/${copy.id}`))
                }
              >
                Duplicate
              </Menu.Item>
              <Menu.Item onClick={() => actions.setActive(bill, !bill.active)}>
                {bill.active ? 'Deactivate' : 'Reactivate'}
              </Menu.Item>
              <Menu.Divider />
              <Menu.Item
                color="red"
                onClick={() => actions.remove(bill, () => void navigate('/bills'))}
              >
                Delete
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>

      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md" verticalSpacing="sm">
          <Field label="Amount">
            {formatMoney(bill.amount_cents)}
            {bill.amount_kind === 'variable' ? ' (an estimate)' : ''}
          </Field>
          <Field label="Category">
            <CategoryLabel category={category} />
          </Field>
          <Field label="Comes due">{schedule(bill)}</Field>
          <Field label="Next due">
            {bill.next_due_date ? formatFullDay(bill.next_due_date) : 'No further due dates'}
          </Field>
          <Field label="Paid from">{BUCKET_LABELS[bill.bucket]}</Field>
          <Field label="First due date">{formatFullDay(bill.anchor_date)}</Field>
          {bill.end_date && <Field label="End date">{formatFullDay(bill.end_date)}</Field>}
          <Field label="Reminder">
            {bill.reminder_days === null || bill.reminder_days === undefined
              ? 'Your usual lead time'
              : `${bill.reminder_days} days before`}
          </Field>
          {bill.website && (
            <Field label="Website">
              <Anchor href={safeLink(bill.website)} target="_blank" rel="noreferrer" size="sm">
                {bill.website}
              </Anchor>
            </Field>
          )}
          {bill.account_note && <Field label="Account note">{bill.account_note}</Field>}
        </SimpleGrid>
        {bill.notes && (
          <Stack gap={2} mt="md">
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              Notes
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {bill.notes}
            </Text>
          </Stack>
        )}
      </Paper>

      <PaymentHistory bill={bill} />

      {editing && <BillEditor bill={bill} onClose={() => setEditing(false)} />}
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

/** Only web addresses become links; anything else (javascript:, data:) is shown as text. */
function safeLink(website: string): string | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(website) ? website : `https://${website}`;
  try {
    const url = new URL(withScheme);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
