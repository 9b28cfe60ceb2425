import {
  Alert,
  Anchor,
  Button,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage, fieldError } from '../../api/errors';
import type { AmountKind, Bill, BillInput, Bucket, Cycle } from '../../api/types';
import { parseDay } from '../../components/dates';
import { fromCents, toCents } from '../../money/format';
import { MoneyInput } from '../../money/MoneyInput';
import { CategoryDialog } from '../categories/CategoryDialog';
import { useCategories } from '../categories/useCategories';
import {
  BUCKET_HINTS,
  BUCKET_LABELS,
  BUCKETS,
  bucketForDay,
  CYCLE_LABELS,
  CYCLES,
  usesDueDay,
} from './labels';
import { useCreateBill, useUpdateBill } from './useBills';

/** The server's field names, and the form field each error is shown under. */
const FIELD_OF_ERROR = {
  name: 'name',
  category_id: 'category',
  amount_cents: 'amount',
  amount_kind: 'amount_kind',
  cycle: 'cycle',
  due_day: 'due_day',
  anchor_date: 'anchor_date',
  end_date: 'end_date',
  bucket: 'bucket',
  autopay: 'autopay',
  reminder_days: 'reminder_days',
  website: 'website',
  account_note: 'account_note',
  notes: 'notes',
  active: 'active',
} as const;
const SERVER_FIELDS = Object.keys(FIELD_OF_ERROR) as (keyof typeof FIELD_OF_ERROR)[];

const NO_CATEGORY = 'none';

/** The form's values; amounts in major units, '' for an empty number input. */
interface BillValues {
  name: string;
  category: string;
  amount: number | string;
  amount_kind: AmountKind;
  cycle: Cycle;
  due_day: number | string;
  anchor_date: string;
  end_date: string;
  bucket: Bucket;
  autopay: boolean;
  reminder_days: number | string;
  website: string;
  account_note: string;
  notes: string;
  active: boolean;
}

interface BillEditorProps {
  /** The bill to edit; a new bill when absent. */
  bill?: Bill;
  onClose: () => void;
  onSaved?: (bill: Bill) => void;
}

/** Every field of a bill, for a new bill or an existing one. */
export function BillEditor({ bill, onClose, onSaved }: BillEditorProps) {
  const phone = useMediaQuery('(max-width: 36em)', false, { getInitialValueInEffect: false });
  const categories = useCategories();
  const create = useCreateBill();
  const update = useUpdateBill();
  const save = bill ? update : create;
  const [creatingCategory, setCreatingCategory] = useState(false);
  // A new bill's bucket follows its due day until the user picks one.
  const [bucketChosen, setBucketChosen] = useState(bill !== undefined);

  const form = useForm<BillValues>({
    initialValues: {
      name: bill?.name ?? '',
      category: bill?.category_id ? String(bill.category_id) : NO_CATEGORY,
      amount: bill ? fromCents(bill.amount_cents) : '',
      amount_kind: bill?.amount_kind ?? 'fixed',
      cycle: bill?.cycle ?? 'monthly',
      due_day: bill?.due_day ?? '',
      anchor_date: bill?.anchor_date ?? '',
      end_date: bill?.end_date ?? '',
      bucket: bill?.bucket ?? 'first',
      autopay: bill?.autopay ?? false,
      reminder_days: bill?.reminder_days ?? '',
      website: bill?.website ?? '',
      account_note: bill?.account_note ?? '',
      notes: bill?.notes ?? '',
      active: bill?.active ?? true,
    },
    validate: {
      name: (value) => (value.trim() === '' ? 'Give the bill a name' : null),
      amount: (value) => (toCents(value) === null ? 'Enter the expected amount' : null),
    },
  });

  const followDay = (day: number | null) => {
    if (!bucketChosen && day !== null && day >= 1 && day <= 31) {
      form.setFieldValue('bucket', bucketForDay(day));
    }
  };

  const submit = form.onSubmit((values) => {
    const input = toInput(values, bill);
    const onError = (error: Error) => {
      const field = fieldError(error, SERVER_FIELDS);
      if (field) {
        form.setFieldError(FIELD_OF_ERROR[field.field], field.message);
      }
    };
    const onSuccess = (saved: Bill) => {
      notifications.show({
        color: 'teal',
        message: bill ? `${saved.name} saved.` : `${saved.name} added.`,
      });
      onSaved?.(saved);
      onClose();
    };
    if (bill) {
      update.mutate({ id: bill.id, change: input }, { onSuccess, onError });
    } else {
      create.mutate(input, { onSuccess, onError });
    }
  });

  const monthBased = usesDueDay(form.values.cycle);
  const shownInPlace = fieldError(save.error, SERVER_FIELDS) !== undefined;
  const categoryOptions = [
    { value: NO_CATEGORY, label: 'Uncategorised' },
    ...(categories.data ?? []).map((c) => ({ value: String(c.id), label: c.name })),
  ];

  return (
    <>
      <Modal
        opened
        onClose={onClose}
        title={bill ? `Edit ${bill.name}` : 'New bill'}
        size="lg"
        fullScreen={phone}
      >
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <TextInput
              label="Name"
              required
              maxLength={120}
              data-autofocus
              aria-invalid={form.errors.name ? true : undefined}
              {...form.getInputProps('name')}
            />
            <Stack gap={4}>
              <Select
                label="Category"
                data={categoryOptions}
                allowDeselect={false}
                {...form.getInputProps('category')}
              />
              <Anchor
                component="button"
                type="button"
                size="xs"
                onClick={() => setCreatingCategory(true)}
              >
                New category
              </Anchor>
            </Stack>
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <MoneyInput label="Expected amount" required {...form.getInputProps('amount')} />
              <Stack gap={4}>
                <Text size="sm" fw={500} id="amount-kind-label">
                  Amount is
                </Text>
                <SegmentedControl
                  aria-labelledby="amount-kind-label"
                  data={[
                    { value: 'fixed', label: 'Fixed' },
                    { value: 'variable', label: 'An estimate' },
                  ]}
                  {...form.getInputProps('amount_kind')}
                />
              </Stack>
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <Select
                label="Comes due"
                data={CYCLES.map((cycle) => ({ value: cycle, label: CYCLE_LABELS[cycle] }))}
                allowDeselect={false}
                {...form.getInputProps('cycle')}
              />
              {monthBased && (
                <NumberInput
                  label="Due day"
                  description="Day of the month; past the month's end means its last day"
                  allowDecimal={false}
                  allowNegative={false}
                  hideControls
                  inputMode="numeric"
                  aria-invalid={form.errors.due_day ? true : undefined}
                  {...form.getInputProps('due_day')}
                  onChange={(value: number | string) => {
                    form.setFieldValue('due_day', value);
                    followDay(typeof value === 'number' ? value : null);
                  }}
                />
              )}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <TextInput
                type="date"
                label="First due date"
                description={
                  monthBased
                    ? 'Sets which months a quarterly, twice-yearly or yearly bill falls in'
                    : 'The weeks count from this date'
                }
                aria-invalid={form.errors.anchor_date ? true : undefined}
                {...form.getInputProps('anchor_date')}
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  form.setFieldValue('anchor_date', value);
                  if (!usesDueDay(form.values.cycle)) {
                    followDay(parseDay(value)?.getDate() ?? null);
                  }
                }}
              />
              <TextInput
                type="date"
                label="End date"
                description="Optional: no payments are due after it"
                aria-invalid={form.errors.end_date ? true : undefined}
                {...form.getInputProps('end_date')}
              />
            </SimpleGrid>
            <Select
              label="Paid from"
              description={BUCKET_HINTS[form.values.bucket]}
              data={BUCKETS.map((bucket) => ({ value: bucket, label: BUCKET_LABELS[bucket] }))}
              allowDeselect={false}
              {...form.getInputProps('bucket')}
              onChange={(value) => {
                if (value) {
                  form.setFieldValue('bucket', value as Bucket);
                  setBucketChosen(true);
                }
              }}
            />
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <Switch
                label="Autopay"
                description="Paid automatically; recorded for you once its due date passes"
                {...form.getInputProps('autopay', { type: 'checkbox' })}
              />
              <Switch
                label="Active"
                description="Inactive bills drop out of future months"
                {...form.getInputProps('active', { type: 'checkbox' })}
              />
            </SimpleGrid>
            <NumberInput
              label="Reminder days"
              description="Days before the due date to remind you; empty uses your profile's setting"
              allowDecimal={false}
              allowNegative={false}
              hideControls
              inputMode="numeric"
              aria-invalid={form.errors.reminder_days ? true : undefined}
              {...form.getInputProps('reminder_days')}
            />
            <TextInput
              label="Website"
              type="url"
              placeholder="https://"
              {...form.getInputProps('website')}
            />
            <TextInput
              label="Account note"
              description="An account number or login hint; do not store passwords here"
              {...form.getInputProps('account_note')}
            />
            <Textarea
              label="Notes"
              autosize
              minRows={2}
              maxRows={6}
              {...form.getInputProps('notes')}
            />
            {save.isError && !shownInPlace && (
              <Alert color="red" role="alert" title="Not saved">
                <Text size="sm">{errorMessage(save.error)}</Text>
              </Alert>
            )}
            <Group justify="flex-end" mt="sm">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {bill ? 'Save' : 'Add bill'}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      {creatingCategory && (
        <CategoryDialog
          onClose={() => setCreatingCategory(false)}
          onSaved={(category) => form.setFieldValue('category', String(category.id))}
        />
      )}
    </>
  );

  function toInput(values: BillValues, current: Bill | undefined): BillInput {
    const text = (value: string) => value.trim() || null;
    const whole = (value: number | string) =>
      value === '' || value === null ? null : Number(value);
    return {
      name: values.name.trim(),
      category_id: values.category === NO_CATEGORY ? null : Number(values.category),
      amount_cents: toCents(values.amount),
      amount_kind: values.amount_kind,
      cycle: values.cycle,
      due_day: usesDueDay(values.cycle) ? whole(values.due_day) : null,
      // Blank keeps the first due date of an existing bill; a new one gets a default.
      anchor_date: values.anchor_date || (current ? current.anchor_date : undefined),
      end_date: values.end_date || null,
      bucket: values.bucket,
      autopay: values.autopay,
      reminder_days: whole(values.reminder_days),
      website: text(values.website),
      account_note: text(values.account_note),
      notes: text(values.notes),
      active: values.active,
    };
  }
}
