import { type APIRequestContext, expect, test } from '@playwright/test';
import { mainNavigation, signIn, uniqueUsername } from './helpers';

test('the audit log pages through older entries with "Load more"', async ({ page }) => {
  await signIn(page);

  // More than one page of admin actions, made through the API with the browser's session.
  const api = page.request;
  const { token } = (await (await api.get('/api/auth/csrf-token')).json()) as { token: string };
  const headers = { 'x-csrf-token': token };
  const username = uniqueUsername('gail');
  const created = await api.post('/api/admin/users', {
    headers,
    data: { username, password: 'gail-password-1', role: 'user' },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: number };
  for (let round = 0; round < 55; round++) {
    const renamed = await api.patch(`/api/admin/users/${id}`, {
      headers,
      data: { display_name: `Gail ${round}` },
    });
    expect(renamed.ok()).toBe(true);
  }

  await mainNavigation(page).getByRole('link', { name: 'Audit log' }).click();
  const rows = page.getByRole('table', { name: 'Audit log' }).locator('tbody tr');
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText(username);

  // Page to the end: every entry appears once, as many as the API has.
  const loadMore = page.getByRole('button', { name: 'Load more' });
  while (await loadMore.isVisible()) {
    const before = await rows.count();
    await loadMore.click();
    await expect.poll(() => rows.count()).toBeGreaterThan(before);
  }
  await expect(page.getByText('That is the whole log.')).toBeVisible();
  expect(await rows.count()).toBe(await countAuditEntries(page.request));
});

async function countAuditEntries(api: APIRequestContext): Promise<number> {
  let count = 0;
  let before: number | null = null;
  do {
    const query: string = before === null ? '' : `&before=${before}`;
    const page = (await (await api.get(`/api/admin/audit?limit=200${query}`)).json()) as {
      items: unknown[];
      next: number | null;
    };
    count += page.items.length;
    before = page.next;
  } while (before !== null);
  return count;
}
