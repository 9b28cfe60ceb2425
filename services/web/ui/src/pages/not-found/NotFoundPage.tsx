import { Button, Card, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <Card withBorder padding="lg" maw={640}>
      <Stack gap="sm" align="flex-start">
        <Title order={2}>Page not found</Title>
        <Text>
          There is no page at this address. It may have moved, or the link may be mistyped.
        </Text>
        <Button component={Link} to="/">
          Go to the home page
        </Button>
      </Stack>
    </Card>
  );
}
