import { Progress, Stack, Text } from '@mantine/core';

/**
 * A long operation on the server: the server does not report how far it is, so the bar moves
 * without a percentage and the text says what is happening.
 */
export function Working({ label }: { label: string }) {
  return (
    <Stack gap={4} role="status" aria-live="polite">
      <Text size="sm">{label}</Text>
      <Progress value={100} striped animated aria-label={label} />
    </Stack>
  );
}
