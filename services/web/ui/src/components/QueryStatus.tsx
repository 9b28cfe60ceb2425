import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { errorMessage } from '../api/errors';

/** What a page shows while its data is on the way. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Group gap="sm" role="status">
      <Loader size="sm" />
      <Text c="dimmed">{label}</Text>
    </Group>
  );
}

interface LoadErrorProps {
  title: string;
  error: unknown;
  retrying: boolean;
  onRetry: () => void;
}

/** A failed load, with the reason and a way to try again. */
export function LoadError({ title, error, retrying, onRetry }: LoadErrorProps) {
  return (
    <Alert color="red" title={title} role="alert">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{errorMessage(error)}</Text>
        <Button size="xs" variant="light" color="red" loading={retrying} onClick={onRetry}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}
