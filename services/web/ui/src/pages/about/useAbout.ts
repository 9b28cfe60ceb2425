import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { GetResponse } from '../../api/types';

export type About = GetResponse<'/api/about'>;

/** `/api/about`, shared with the start of the app, which reads the currency from it. */
export const aboutQuery = queryOptions({
  queryKey: ['about'],
  queryFn: ({ signal }) => api.get<About>('/api/about', { signal }),
});

/** Name, version, build commit and currency of the server this app is talking to. */
export function useAbout() {
  return useQuery(aboutQuery);
}
