// Where to send the user before and after signing in. `next` comes from the address bar, so only
// paths inside this app are followed: never another site, never back to the sign-in pages.

/** The address of the current page, as `next` carries it. */
export function here(location: { pathname: string; search: string }): string {
  return location.pathname + location.search;
}

/** The sign-in page, returning to `next` afterwards. */
export function loginPath(next: string): string {
  return withNext('/login', next);
}

/** The forced password change page, returning to `next` afterwards. */
export function changePasswordPath(next: string): string {
  return withNext('/change-password', next);
}

/** The `next` parameter of `search` when it is safe to follow, else the home page. */
export function nextPath(search: URLSearchParams): string {
  const next = search.get('next');
  if (
    next === null ||
    !next.startsWith('/') ||
    next.startsWith('//') ||
    next.startsWith('/\\') ||
    next.startsWith('/login') ||
    next.startsWith('/change-password')
  ) {
    return '/';
  }
  return next;
}

function withNext(page: string, next: string): string {
  return next === '/' ? page : `${page}?next=${encodeURIComponent(next)}`;
}
