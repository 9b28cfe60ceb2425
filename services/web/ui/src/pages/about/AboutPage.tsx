import { Alert, Button, Card, Code, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { type About, useAbout } from './useAbout';

export function AboutPage() {
  return (
    <Card withBorder padding="lg" maw={640}>
      <Stack gap="md">
        <Title order={2}>About</Title>
        <AboutDetails />
      </Stack>
    </Card>
  );
}

function AboutDetails() {
  const about = useAbout();

  if (about.isPending) {
    return (
      <Group gap="sm">
        <Loader size="sm" />
        <Text c="dimmed">Asking the server…</Text>
      </Group>
    );
  }

  if (about.isError) {
    return (
      <Alert color="red" title="Could not reach the server" role="alert">
        <Stack gap="sm" align="flex-start">
          <Text size="sm">{about.error.message}</Text>
          <Button
            size="xs"
            variant="light"
            color="red"
            loading={about.isRefetching}
            onClick={() => void about.refetch()}
          >
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }

  return <AboutTable about={about.data} />;
}

function AboutTable({ about }: { about: About }) {
  return (
    <Table variant="vertical" layout="fixed" withTableBorder>
      <Table.Tbody>
        <Table.Tr>
          <Table.Th w={120}>Name</Table.Th>
          <Table.Td>{about.name}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th>Version</Table.Th>
          <Table.Td data-testid="about-version">{about.version}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th>Currency</Table.Th>
          <Table.Td data-testid="about-currency">{about.currency}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Th>Commit</Table.Th>
          <Table.Td>
            {about.commit ? (
              <Code title={about.commit}>{about.commit.slice(0, 12)}</Code>
            ) : (
              <Text c="dimmed" span inherit>
                unknown
              </Text>
            )}
          </Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}
