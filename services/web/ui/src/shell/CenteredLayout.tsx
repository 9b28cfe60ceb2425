import { Box, Card, Group, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ColorSchemeToggle } from './ColorSchemeToggle';

/** The frame of the pages shown before the app itself: signing in, choosing a password. */
export function CenteredLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="main" mih="100dvh" px="md" py="xl">
      <Stack maw={420} mx="auto" gap="lg">
        <Group justify="space-between" wrap="nowrap">
          <Title order={1} size="h3">
            BillTracker
          </Title>
          <ColorSchemeToggle />
        </Group>
        <Card withBorder padding="lg">
          <Stack gap="md">
            <Title order={2} size="h3">
              {title}
            </Title>
            {children}
          </Stack>
        </Card>
      </Stack>
    </Box>
  );
}
