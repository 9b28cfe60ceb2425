import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { GetResponse } from '../../api/types';

export type About = GetResponse<'/api/about'>;

/** Name, version and build commit of the server this app is talking to. */
export function useAbout() {
  return useQuery({
    queryKey: ['about'],
    queryFn: ({ signal }) => api.get<About>('/api/about', { signal }),
  });
}
