import { List, Text } from '@mantine/core';
import { formatFullDay } from '../../components/dates';
import { LoadError, Loading } from '../../components/QueryStatus';
import { useFeedPreview } from './useFeeds';

/** The next 10 events a calendar app would get from the feed. */
export function FeedPreview({ id }: { id: number }) {
  const preview = useFeedPreview(id);

  if (preview.isPending) {
    return <Loading label="Loading the next events…" />;
  }
  if (preview.isError) {
    return (
      <LoadError
        title="Could not load the preview"
        error={preview.error}
        retrying={preview.isRefetching}
        onRetry={() => void preview.refetch()}
      />
    );
  }
  if (preview.data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No upcoming events: add a bill and it appears here.
      </Text>
    );
  }
  return (
    <List size="sm" spacing={4} aria-label="Next events">
      {preview.data.map((event) => (
        <List.Item key={`${event.date}-${event.bill_id}`}>
          <Text span size="sm" fw={600}>
            {formatFullDay(event.date)}
          </Text>{' '}
          {event.summary}
        </List.Item>
      ))}
    </List>
  );
}
