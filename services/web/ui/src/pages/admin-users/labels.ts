import type { AuthSource } from '../../api/types';
import { formatDateTime } from '../../format';

/** How a user signs in, in the admin's words. */
export const SOURCE_LABELS: Record<AuthSource, string> = {
  local: 'Password',
  oidc: 'Single sign-on',
  both: 'Password or single sign-on',
};

/** When the user last signed in, or "never". */
export function lastSignIn(at: string | null | undefined): string {
  return at ? formatDateTime(at) : 'never';
}
