import {
  Alert,
  Button,
  ColorInput,
  Group,
  Modal,
  Stack,
  Switch,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import type { ReactNode } from 'react';
import { notifications } from '@mantine/notifications';
import { errorMessage, fieldError, hasCode } from '../../api/errors';
import type { Category, CategoryInput } from '../../api/types';
import { useCreateCategory, useUpdateCategory } from './useCategories';

const FIELDS = ['name', 'color', 'icon', 'counts_toward_spending'] as const;

/** Colours to pick from with one click; any `#rrggbb` can be typed. */
export const CATEGORY_SWATCHES = [
  '#fa5252',
  '#e64980',
  '#be4bdb',
  '#7950f2',
  '#4c6ef5',
  '#228be6',
  '#15aabf',
  '#12b886',
  '#40c057',
  '#82c91e',
  '#fab005',
  '#fd7e14',
  '#868e96',
];

/** Icons to pick from with one click; any single emoji can be typed. */
export const CATEGORY_ICONS = [
  '🏠',
  '⚡',
  '💧',
  '🔥',
  '📱',
  '🌐',
  '🚗',
  '🛡️',
  '💳',
  '🎬',
  '🏥',
  '🎓',
  '🛒',
  '💰',
];

interface CategoryDialogProps {
  /** The category to edit; a new one when absent. */
  category?: Category;
  onClose: () => void;
  /** Called with the saved category, e.g. to select it in the bill editor. */
  onSaved?: (category: Category) => void;
}

/** Create, or rename and recolour, a category. */
export function CategoryDialog({ category, onClose, onSaved }: CategoryDialogProps) {
  const create = useCreateCategory();
  const update = useUpdateCategory(category?.id ?? 0);
  const save = category ? update : create;
  const form = useForm({
    initialValues: {
      name: category?.name ?? '',
      color: category?.color ?? CATEGORY_SWATCHES[5],
      icon: category?.icon ?? '',
      counts_toward_spending: category?.counts_toward_spending ?? true,
    },
    validate: {
      name: (value) => (value.trim() === '' ? 'Give the category a name' : null),
    },
  });

  const submit = form.onSubmit((values) => {
    const input: CategoryInput = {
      name: values.name.trim(),
      color: values.color,
      icon: values.icon.trim() === '' ? null : values.icon.trim(),
      counts_toward_spending: values.counts_toward_spending,
    };
    save.mutate(input, {
      onSuccess: (saved) => {
        notifications.show({
          color: 'teal',
          message: category ? `Category ${saved.name} saved.` : `Category ${saved.name} created.`,
        });
        onSaved?.(saved);
        onClose();
      },
      onError: (error) => {
        const field = fieldError(error, FIELDS);
        if (field) {
          form.setFieldError(field.field, field.message);
        } else if (hasCode(error, 'NAME_TAKEN')) {
          form.setFieldError('name', errorMessage(error));
        }
      },
    });
  });

  const shownInPlace =
    fieldError(save.error, FIELDS) !== undefined || hasCode(save.error, 'NAME_TAKEN');

  return (
    <Modal opened onClose={onClose} title={category ? `Edit ${category.name}` : 'New category'}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Name"
            required
            maxLength={60}
            data-autofocus
            aria-invalid={form.errors.name ? true : undefined}
            {...form.getInputProps('name')}
          />
          <IconPicker
            value={form.values.icon}
            error={form.errors.icon}
            onChange={(icon) => form.setFieldValue('icon', icon)}
          />
          <ColorInput
            label="Colour"
            format="hex"
            swatches={CATEGORY_SWATCHES}
            swatchesPerRow={7}
            withEyeDropper={false}
            {...form.getInputProps('color')}
          />
          <Switch
            label="Counts toward spending"
            description="Turn off for transfers such as savings, so they stay out of spending figures."
            {...form.getInputProps('counts_toward_spending', { type: 'checkbox' })}
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
              {category ? 'Save' : 'Create category'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** An optional emoji shown before the category's name: one of a few, or any typed one. */
function IconPicker({
  value,
  error,
  onChange,
}: {
  value: string;
  error: ReactNode;
  onChange: (icon: string) => void;
}) {
  return (
    <Stack gap={4}>
      <TextInput
        label="Icon"
        description="Optional: one emoji, shown before the name."
        maxLength={16}
        value={value}
        error={error}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
      <Group gap={4} role="group" aria-label="Suggested icons">
        {CATEGORY_ICONS.map((icon) => (
          <UnstyledButton
            key={icon}
            type="button"
            aria-label={`Icon ${icon}`}
            aria-pressed={value === icon}
            onClick={() => onChange(value === icon ? '' : icon)}
            px={6}
            py={2}
            style={{
              fontSize: 18,
              borderRadius: 'var(--mantine-radius-sm)',
              background: value === icon ? 'var(--mantine-color-default-hover)' : 'transparent',
              outline: value === icon ? '1px solid var(--mantine-color-default-border)' : 'none',
            }}
          >
            {icon}
          </UnstyledButton>
        ))}
      </Group>
    </Stack>
  );
}
