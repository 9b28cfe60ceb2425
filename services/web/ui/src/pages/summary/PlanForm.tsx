import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/errors';
import type { Bucket, IncomeInput, Summary, SummaryInput } from '../../api/types';
import { IconX } from '../../components/icons';
import type { Month } from '../../components/MonthSwitcher';
import { fromCents, toCents } from '../../money/format';
import { MoneyInput } from '../../money/MoneyInput';
import { BUCKET_LABELS, BUCKETS } from '../bills/labels';
import { useSaveSummary } from './useSummary';

/** An income entry as the form edits it; `id` is absent for one not saved yet. */
interface IncomeRow {
  key: string;
  id?: number;
  label: string;
  amount: number | string;
  expected_on: string;
  received: boolean;
  /** Empty: the server picks the bucket from the expected day. */
  bucket: string;
}

interface PlanValues {
  first: number | string;
  fifteenth: number | string;
  other: number | string;
  income: IncomeRow[];
}

const BY_DATE = '';
const bucketOptions = [
  { value: BY_DATE, label: 'By the expected date' },
  ...BUCKETS.map((bucket) => ({ value: bucket, label: BUCKET_LABELS[bucket] })),
];

let nextKey = 0;
const newKey = () => `new-${(nextKey += 1)}`;

function valuesOf(summary: Summary): PlanValues {
  return {
    first: fromCents(summary.starting.first),
    fifteenth: fromCents(summary.starting.fifteenth),
    other: fromCents(summary.starting.other),
    income: summary.income.map((entry) => ({
      key: `saved-${entry.id}`,
      id: entry.id,
      label: entry.label,
      amount: fromCents(entry.amount_cents),
      expected_on: entry.expected_on,
      received: entry.received,
      bucket: entry.bucket,
    })),
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The first and last day of the month, as the date inputs' bounds. */
function monthBounds({ year, month }: Month): { min: string; max: string } {
  const last = new Date(year, month, 0).getDate();
  return { min: `${year}-${pad(month)}-01`, max: `${year}-${pad(month)}-${pad(last)}` };
}

/**
 * Starting money per bucket and the month's income entries, saved together. The server checks
 * everything and answers with the new summary; a refused plan changes nothing.
 */
export function PlanForm({ month, summary }: { month: Month; summary: Summary }) {
  const save = useSaveSummary(month);
  const bounds = monthBounds(month);

  const form = useForm<PlanValues>({
    initialValues: valuesOf(summary),
    validate: {
      first: (value) => (toCents(value) === null ? 'Enter an amount (0 for none)' : null),
      fifteenth: (value) => (toCents(value) === null ? 'Enter an amount (0 for none)' : null),
      other: (value) => (toCents(value) === null ? 'Enter an amount (0 for none)' : null),
      income: {
        label: (value) => (value.trim() === '' ? 'Name this income' : null),
        amount: (value) => (toCents(value) === null ? 'Enter the amount' : null),
        expected_on: (value) =>
          value < bounds.min || value > bounds.max ? 'Pick a day of this month' : null,
      },
    },
  });

  const submit = form.onSubmit((values) => {
    const plan: SummaryInput = {
      starting: {
        first: toCents(values.first) ?? 0,
        fifteenth: toCents(values.fifteenth) ?? 0,
        other: toCents(values.other) ?? 0,
      },
      income: values.income.map((row): IncomeInput => ({
        ...(row.id !== undefined && { id: row.id }),
        label: row.label.trim(),
        amount_cents: toCents(row.amount) ?? 0,
        expected_on: row.expected_on,
        received: row.received,
        ...(row.bucket !== BY_DATE && { bucket: row.bucket as Bucket }),
      })),
    };
    save.mutate(plan, {
      onSuccess: (saved) => {
        form.setValues(valuesOf(saved));
        form.resetDirty(valuesOf(saved));
        notifications.show({ color: 'teal', message: 'The plan for this month was saved.' });
      },
    });
  });

  const addIncome = () =>
    form.insertListItem('income', {
      key: newKey(),
      label: '',
      amount: '',
      expected_on: bounds.min,
      received: false,
      bucket: BY_DATE,
    } satisfies IncomeRow);

  return (
    <form onSubmit={submit} noValidate aria-label="Plan for the month">
      <Stack gap="lg">
        <Stack gap="xs">
          <Title order={4} size="h5">
            Starting money
          </Title>
          <Text size="sm" c="dimmed">
            What you have for the bills of each bucket at the start of the month.
          </Text>
          <SimpleGrid cols={{ base: 1, xs: 3 }}>
            <MoneyInput label={BUCKET_LABELS.first} {...form.getInputProps('first')} />
            <MoneyInput label={BUCKET_LABELS.fifteenth} {...form.getInputProps('fifteenth')} />
            <MoneyInput label={BUCKET_LABELS.other} {...form.getInputProps('other')} />
          </SimpleGrid>
        </Stack>

        <Stack gap="xs">
          <Title order={4} size="h5">
            Income
          </Title>
          {form.values.income.length === 0 && (
            <Text size="sm" c="dimmed">
              No income entered for this month.
            </Text>
          )}
          {form.values.income.map((row, index) => (
            <Paper
              key={row.key}
              withBorder
              p="sm"
              role="group"
              aria-label={`Income ${index + 1}${row.label ? `: ${row.label}` : ''}`}
            >
              <Group align="flex-start" wrap="nowrap" gap="xs">
                <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} style={{ flex: 1 }}>
                  <TextInput
                    label="Label"
                    maxLength={80}
                    {...form.getInputProps(`income.${index}.label`)}
                  />
                  <MoneyInput label="Amount" {...form.getInputProps(`income.${index}.amount`)} />
                  <TextInput
                    type="date"
                    label="Expected on"
                    min={bounds.min}
                    max={bounds.max}
                    {...form.getInputProps(`income.${index}.expected_on`)}
                  />
                  <Select
                    label="Bucket"
                    data={bucketOptions}
                    allowDeselect={false}
                    {...form.getInputProps(`income.${index}.bucket`)}
                  />
                  <Checkbox
                    label="Received"
                    {...form.getInputProps(`income.${index}.received`, { type: 'checkbox' })}
                  />
                </SimpleGrid>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={`Remove income ${row.label || index + 1}`}
                  onClick={() => form.removeListItem('income', index)}
                >
                  <IconX />
                </ActionIcon>
              </Group>
            </Paper>
          ))}
          <Group>
            <Button variant="default" onClick={addIncome}>
              Add income
            </Button>
          </Group>
        </Stack>

        {save.isError && (
          <Alert color="red" title="Not saved" role="alert">
            <Text size="sm">{errorMessage(save.error)}</Text>
          </Alert>
        )}
        <Group justify="flex-end">
          {form.isDirty() && (
            <Text size="sm" c="dimmed">
              Unsaved changes
            </Text>
          )}
          <Button type="submit" loading={save.isPending}>
            Save plan
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
