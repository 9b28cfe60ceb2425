import { Anchor, Card, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function HomePage() {
  return (
    <Card withBorder padding="lg" maw={640}>
      <Stack gap="sm">
        <Title order={2}>Welcome to BillTracker</Title>
        <Text>
          BillTracker keeps your household's recurring bills in one place: what is due this month,
          what has been paid and what is late. It can match payments from your bank to your bills
          and remind you before a bill is due.
        </Text>
        <Text>
          It runs on your own server, so your data stays with you. See{' '}
          <Anchor component={Link} to="/about">
            About
          </Anchor>{' '}
          for the version you are running.
        </Text>
      </Stack>
    </Card>
  );
}
