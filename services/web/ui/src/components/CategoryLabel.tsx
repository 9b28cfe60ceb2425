import { ColorSwatch, Group, Text } from '@mantine/core';
import type { Category } from '../api/types';

/** A category as a colour dot, its icon and its name; "Uncategorised" when there is none. */
export function CategoryLabel({ category }: { category: Category | undefined }) {
  if (!category) {
    return (
      <Text size="sm" c="dimmed">
        Uncategorised
      </Text>
    );
  }
  // A long name wraps rather than widening its table past a phone's screen.
  return (
    <Group gap={6} wrap="nowrap" align="baseline">
      <ColorSwatch color={category.color} size={10} withShadow={false} aria-hidden />
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {category.icon && <span aria-hidden>{category.icon} </span>}
        {category.name}
      </Text>
    </Group>
  );
}
