// The currency every amount of this instance is in: the server's `CURRENCY` setting, which
// `GET /api/about` names. The app asks once, at start, before it renders any amount.
import type { QueryClient } from '@tanstack/react-query';
import { aboutQuery } from '../pages/about/useAbout';

/** What amounts are shown in when the server cannot be asked. */
export const FALLBACK_CURRENCY = 'USD';

/**
 * The instance currency, from `/api/about`; the fallback when the server does not answer. The
 * answer stays in the query cache, so the About page does not ask again.
 */
export async function instanceCurrency(queryClient: QueryClient): Promise<string> {
  try {
    // The app is waiting for the answer: a failure falls back at once instead of retrying.
    const about = await queryClient.fetchQuery({ ...aboutQuery, retry: false });
    return about.currency;
  } catch {
    return FALLBACK_CURRENCY;
  }
}
