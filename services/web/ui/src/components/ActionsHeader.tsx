import { Table, type TableThProps, VisuallyHidden } from '@mantine/core';

/**
 * The header of a table's actions column: named for screen readers only. The cell is the
 * positioned box of the hidden label, which otherwise is placed against the page and, in a
 * table wider than a phone's screen, makes the whole page scroll sideways.
 */
export function ActionsHeader(props: TableThProps) {
  return (
    <Table.Th pos="relative" {...props}>
      <VisuallyHidden>Actions</VisuallyHidden>
    </Table.Th>
  );
}
