import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type {
  CalendarFeed,
  CalendarFeedWithUrl,
  FeedPreviewEvent,
  NewCalendarFeed,
} from '../../api/types';

const feedsQueryKey = ['calendar', 'feeds'] as const;

/** The user's calendar feeds, without their secret addresses. */
export function useFeeds() {
  return useQuery({
    queryKey: feedsQueryKey,
    queryFn: ({ signal }) => api.get<CalendarFeed[]>('/api/calendar/feeds', { signal }),
  });
}

/** The next events a feed holds, from today on. */
export function useFeedPreview(id: number) {
  return useQuery({
    queryKey: [...feedsQueryKey, id, 'preview'],
    queryFn: ({ signal }) =>
      api.get<FeedPreviewEvent[]>(`/api/calendar/feeds/${id}/preview`, { signal }),
  });
}

/** Creates a feed; the answer carries its address, which the server never sends again. */
export function useCreateFeed() {
  const refresh = useRefreshFeeds();
  return useMutation({
    mutationFn: (feed: NewCalendarFeed) =>
      api.post<CalendarFeedWithUrl>('/api/calendar/feeds', { body: feed }),
    onSuccess: refresh,
  });
}

/** Gives a feed a new address; the old one stops working at once. */
export function useRegenerateFeed() {
  const refresh = useRefreshFeeds();
  return useMutation({
    mutationFn: (id: number) =>
      api.post<CalendarFeedWithUrl>(`/api/calendar/feeds/${id}/regenerate`),
    onSuccess: refresh,
  });
}

/** Revokes a feed: its address answers "not found" from now on. */
export function useRevokeFeed() {
  const refresh = useRefreshFeeds();
  return useMutation({
    mutationFn: (id: number) => api.delete<void>(`/api/calendar/feeds/${id}`),
    onSuccess: refresh,
  });
}

function useRefreshFeeds() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: feedsQueryKey });
}
