import { Alert, Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../api/errors';
import type { CalendarFeed, CalendarFeedWithUrl } from '../../api/types';
import { LoadError, Loading } from '../../components/QueryStatus';
import { formatDateTime } from '../../format';
import { ConfirmFeedDialog } from './ConfirmFeedDialog';
import { FeedPreview } from './FeedPreview';
import { FeedUrlDialog } from './FeedUrlDialog';
import { useCreateFeed, useFeeds, useRegenerateFeed, useRevokeFeed } from './useFeeds';

type Confirm = { action: 'regenerate' | 'revoke'; feed: CalendarFeed } | null;

/**
 * `/settings/calendar`: iCal feeds of the user's bills for calendar apps. A feed's address is
 * shown once, when it is created or given a new one; a feed can be revoked.
 */
export function CalendarFeedsPage() {
  const [shown, setShown] = useState<CalendarFeedWithUrl | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const regenerate = useRegenerateFeed();
  const revoke = useRevokeFeed();

  const closeConfirm = () => {
    regenerate.reset();
    revoke.reset();
    setConfirm(null);
  };
  const confirmed = () => {
    if (confirm === null) {
      return;
    }
    if (confirm.action === 'regenerate') {
      regenerate.mutate(confirm.feed.id, {
        onSuccess: (feed) => {
          closeConfirm();
          setShown(feed);
        },
      });
    } else {
      revoke.mutate(confirm.feed.id, {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            message: `${confirm.feed.label ?? 'The feed'} was revoked.`,
          });
          closeConfirm();
        },
      });
    }
  };
  const running = confirm?.action === 'regenerate' ? regenerate : revoke;

  return (
    <Stack gap="lg" maw={860}>
      <Stack gap={4}>
        <Title order={2}>Calendar feeds</Title>
        <Text size="sm" c="dimmed">
          Subscribe to your bills in a calendar app: each bill appears on its due date, with its
          amount and status, for the last 2 and the next 12 months.
        </Text>
      </Stack>

      <CreateFeedForm onCreated={setShown} />
      <FeedList onAction={setConfirm} />

      {shown && <FeedUrlDialog feed={shown} onClose={() => setShown(null)} />}
      {confirm && (
        <ConfirmFeedDialog
          feed={confirm.feed}
          action={confirm.action}
          pending={running.isPending}
          error={running.error}
          onConfirm={confirmed}
          onClose={closeConfirm}
        />
      )}
    </Stack>
  );
}

function CreateFeedForm({ onCreated }: { onCreated: (feed: CalendarFeedWithUrl) => void }) {
  const create = useCreateFeed();
  const [label, setLabel] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = label.trim();
    create.mutate(trimmed === '' ? {} : { label: trimmed }, {
      onSuccess: (feed) => {
        setLabel('');
        onCreated(feed);
      },
    });
  };

  return (
    <Card withBorder padding="lg" component="section" aria-label="New feed">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={3} size="h4">
            New feed
          </Title>
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label="Label (optional)"
              description="Such as the app or device that subscribes"
              maxLength={80}
              value={label}
              onChange={(event) => setLabel(event.currentTarget.value)}
              style={{ flex: '1 1 220px' }}
            />
            <Button type="submit" loading={create.isPending}>
              Create feed
            </Button>
          </Group>
          {create.isError && (
            <Alert color="red" role="alert" title="No feed created">
              <Text size="sm">{errorMessage(create.error)}</Text>
            </Alert>
          )}
        </Stack>
      </form>
    </Card>
  );
}

function FeedList({ onAction }: { onAction: (confirm: Confirm) => void }) {
  const feeds = useFeeds();

  if (feeds.isPending) {
    return <Loading />;
  }
  if (feeds.isError) {
    return (
      <LoadError
        title="Could not load your feeds"
        error={feeds.error}
        retrying={feeds.isRefetching}
        onRetry={() => void feeds.refetch()}
      />
    );
  }
  if (feeds.data.length === 0) {
    return <Text c="dimmed">You have no calendar feeds yet.</Text>;
  }
  return (
    <Stack gap="sm" role="list" aria-label="Your feeds">
      {feeds.data.map((feed) => (
        <FeedCard key={feed.id} feed={feed} onAction={onAction} />
      ))}
    </Stack>
  );
}

function FeedCard({ feed, onAction }: { feed: CalendarFeed; onAction: (c: Confirm) => void }) {
  const [previewing, setPreviewing] = useState(false);
  const name = feed.label ?? 'Calendar feed';

  return (
    <Card withBorder padding="md" role="listitem" aria-label={name}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Text fw={600}>{name}</Text>
            <Text size="xs" c="dimmed">
              Created {formatDateTime(feed.created_at)} ·{' '}
              {feed.last_fetched_at
                ? `last fetched ${formatDateTime(feed.last_fetched_at)}`
                : 'not fetched yet'}
            </Text>
          </Stack>
          <Group gap="xs">
            <Button
              size="xs"
              variant="default"
              aria-expanded={previewing}
              onClick={() => setPreviewing((open) => !open)}
            >
              {previewing ? 'Hide preview' : 'Preview'}
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => onAction({ action: 'regenerate', feed })}
            >
              New address
            </Button>
            <Button
              size="xs"
              variant="light"
              color="red"
              onClick={() => onAction({ action: 'revoke', feed })}
            >
              Revoke
            </Button>
          </Group>
        </Group>
        {previewing && <FeedPreview id={feed.id} />}
      </Stack>
    </Card>
  );
}
