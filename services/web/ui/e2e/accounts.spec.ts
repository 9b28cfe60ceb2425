import { type APIRequest, type BrowserContext, expect, type Page, test } from '@playwright/test';
import {
  ADMIN,
  type Account,
  horizontalOverflow,
  mainNavigation,
  signIn,
  signOut,
  submitSignIn,
  uniqueUsername,
  userMenu,
} from './helpers';
import { apiAs, expectCardsToMatch, newUser, serverTracker, signInAs } from './bills-helpers';

/** Admin > Users > Create user, as an admin who is signed in. */
async function createUser(page: Page, account: Account, displayName?: string) {
  await mainNavigation(page).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users', level: 2 })).toBeVisible();

  await page.getByRole('button', { name: 'Create user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create user' });
  await dialog.getByLabel('Username').fill(account.username);
  await dialog.getByLabel(/^Password/).fill(account.password);
  if (displayName) {
    await dialog.getByLabel('Display name').fill(displayName);
  }
  // The tests that need a forced password change get it from "Reset password".
  await dialog.getByLabel('Ask for a new password at the first sign-in').uncheck();
  await dialog.getByRole('button', { name: 'Create user' }).click();

  await expect(dialog).toBeHidden();
  await expect(usernameCell(page, account.username)).toBeVisible();
}

function usernameCell(page: Page, username: string) {
  return page
    .getByRole('table', { name: 'Users' })
    .getByRole('cell', { name: username, exact: true });
}

test('an admin signs in, sees the home page and the user menu, and signs out', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);

  await submitSignIn(page, ADMIN);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
  await expect(userMenu(page)).toContainText('admin');
  await expect(userMenu(page)).toContainText('Admin');

  await userMenu(page).click();
  await expect(page.getByText('Signed in as admin (admin)')).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Profile' })).toBeVisible();
  await page.keyboard.press('Escape');

  await signOut(page);
  // The session ended on the server, not only in this tab.
  await page.goto('/profile');
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
});

test('the app fetches its CSRF token at start and renews it once when the server refuses it', async ({
  page,
  context,
}) => {
  const calls: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path === '/api/auth/csrf-token' || path === '/api/auth/login') {
      calls.push(`${request.method()} ${path}`);
    }
  });
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect.poll(() => calls).toEqual(['GET /api/auth/csrf-token']);

  // Another tab (or an expired cookie) replaced the cookie: the token in memory no longer matches.
  const csrf = (await context.cookies()).find((cookie) => cookie.name === 'bt_csrf_token');
  expect(csrf).toBeDefined();
  await context.addCookies([{ ...csrf!, value: 'replaced-elsewhere' }]);

  await submitSignIn(page, ADMIN);
  await expect(page).toHaveURL(/\/$/);
  expect(calls).toEqual([
    'GET /api/auth/csrf-token',
    'POST /api/auth/login',
    'GET /api/auth/csrf-token',
    'POST /api/auth/login',
  ]);
});

test('a wrong password shows the error and stays on the sign-in page', async ({ page }) => {
  await page.goto('/login');
  await submitSignIn(page, { username: ADMIN.username, password: 'not-the-password' });

  await expect(page.getByRole('alert')).toContainText(/wrong username or password/i);
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('Username')).toHaveValue(ADMIN.username);
});

/**
 * Ends the browser's session on the server while the browser keeps its cookie: another client
 * holding the same `bt_session` signs out, as a second device of the same person could.
 */
async function endSessionElsewhere(
  context: BrowserContext,
  request: APIRequest,
  baseURL: string | undefined,
) {
  const session = (await context.cookies()).find((cookie) => cookie.name === 'bt_session');
  expect(session).toBeDefined();
  const elsewhere = await request.newContext({
    baseURL,
    storageState: { cookies: [session!], origins: [] },
  });
  const { token } = (await (await elsewhere.get('/api/auth/csrf-token')).json()) as {
    token: string;
  };
  expect((await elsewhere.get('/api/auth/me')).status()).toBe(200);
  const out = await elsewhere.post('/api/auth/logout', { headers: { 'x-csrf-token': token } });
  expect(out.status()).toBe(204);
  await elsewhere.dispose();

  // The browser still holds the very same cookie; only the server forgot the session.
  const kept = (await context.cookies()).find((cookie) => cookie.name === 'bt_session');
  expect(kept?.value).toBe(session!.value);
}

test('an ended session sends the user to sign in and back to the page they were on', async ({
  page,
  context,
  playwright,
  baseURL,
}) => {
  await page.goto('/profile');
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  await submitSignIn(page, ADMIN);
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole('table', { name: 'Recent sign-ins' })).toBeVisible();

  // The session ends on the server while the app is open: the next API call finds out.
  await endSessionElsewhere(context, playwright.request, baseURL);
  await mainNavigation(page).getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Faudit$/);
  await submitSignIn(page, ADMIN);
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole('table', { name: 'Audit log' })).toBeVisible();

  // The session ends on the server while the browser is away: the page load finds out.
  await endSessionElsewhere(context, playwright.request, baseURL);
  await page.goto('/admin/users?from=bookmark');
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fusers%3Ffrom%3Dbookmark$/);
  await submitSignIn(page, ADMIN);
  await expect(page).toHaveURL(/\/admin\/users\?from=bookmark$/);
  await expect(usernameCell(page, ADMIN.username)).toBeVisible();
});

test('an admin creates a user, who signs in and sees no Admin section', async ({ page }) => {
  const account = { username: uniqueUsername('dana'), password: 'dana-password-1' };
  await signIn(page);
  await createUser(page, account, 'Dana Example');
  await signOut(page);

  await submitSignIn(page, account);
  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
  await expect(userMenu(page)).toContainText('Dana Example');
  await expect(userMenu(page)).not.toContainText('Admin');
  const navigation = mainNavigation(page);
  await expect(navigation.getByRole('link', { name: 'Home' })).toBeVisible();
  await expect(navigation.getByText('Admin')).toHaveCount(0);
  await expect(navigation.getByRole('link', { name: 'Users' })).toHaveCount(0);

  await page.goto('/admin/users');
  await expect(page.getByRole('heading', { name: 'For admins only' })).toBeVisible();
});

test('a reset password is shown once and must be replaced at the next sign-in', async ({
  page,
}) => {
  const account = { username: uniqueUsername('erin'), password: 'erin-password-1' };
  await signIn(page);
  await createUser(page, account);

  await page.getByRole('button', { name: `Actions for ${account.username}` }).click();
  await page.getByRole('menuitem', { name: 'Reset password' }).click();
  const dialog = page.getByRole('dialog', { name: `Reset password for ${account.username}` });
  await dialog.getByRole('button', { name: 'Reset password' }).click();
  const answer = page.getByRole('dialog', { name: `Password reset for ${account.username}` });
  await expect(answer.getByText('Shown only once')).toBeVisible();
  const temporary = await answer.getByLabel('Temporary password', { exact: true }).inputValue();
  expect(temporary.length).toBeGreaterThanOrEqual(10);
  await answer.getByRole('button', { name: 'Done' }).click();
  await signOut(page);

  await submitSignIn(page, { username: account.username, password: temporary });
  await expect(page).toHaveURL(/\/change-password$/);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  // Nothing else is reachable before the new password is chosen.
  await page.goto('/profile');
  await expect(page).toHaveURL(/\/change-password\?next=%2Fprofile$/);

  const current = page.getByLabel('Current password');
  const fresh = page.getByLabel('New password', { exact: true });
  const confirm = page.getByLabel('Confirm new password');
  const save = page.getByRole('button', { name: 'Save and continue' });

  await current.fill(temporary);
  await fresh.fill('too-short');
  await confirm.fill('too-short');
  await save.click();
  await expect(page.getByText('Use at least 10 characters')).toBeVisible();

  await current.fill('not-the-temporary-password');
  await fresh.fill('erin-new-password-2');
  await confirm.fill('erin-new-password-2');
  await save.click();
  await expect(current).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('The current password is wrong')).toBeVisible();
  await expect(page).toHaveURL(/\/change-password/);

  await current.fill(temporary);
  await save.click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();

  await signOut(page);
  await submitSignIn(page, { username: account.username, password: 'erin-new-password-2' });
  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
});

test('deleting a user needs their username typed, and the last admin cannot go', async ({
  page,
}) => {
  const account = { username: uniqueUsername('finn'), password: 'finn-password-1' };
  await signIn(page);
  await createUser(page, account);

  await page.getByRole('button', { name: `Actions for ${account.username}` }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${account.username}` });
  const confirmation = dialog.getByLabel(`Type ${account.username} to confirm`);
  const remove = dialog.getByRole('button', { name: 'Delete user' });
  await confirmation.fill('someone-else');
  await expect(remove).toBeDisabled();
  await confirmation.fill(account.username);
  await remove.click();
  await expect(dialog).toBeHidden();
  await expect(usernameCell(page, account.username)).toHaveCount(0);

  await page.getByRole('button', { name: `Actions for ${ADMIN.username}`, exact: true }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const last = page.getByRole('dialog', { name: `Delete ${ADMIN.username}` });
  await last.getByLabel(`Type ${ADMIN.username} to confirm`).fill(ADMIN.username);
  await last.getByRole('button', { name: 'Delete user' }).click();
  await expect(last.getByRole('alert')).toBeVisible();
  await last.getByRole('button', { name: 'Cancel' }).click();
  await expect(last).toBeHidden();
  await expect(usernameCell(page, ADMIN.username)).toBeVisible();
});

test('a user who still owns data is deleted only together with it', async ({
  page,
  playwright,
  baseURL,
}) => {
  const account = { username: uniqueUsername('hana'), password: 'hana-password-1' };
  await signIn(page);
  await createUser(page, account);

  // Hana records a category of her own, in her own session.
  const hana = await playwright.request.newContext({ baseURL });
  const { token } = (await (await hana.get('/api/auth/csrf-token')).json()) as { token: string };
  const headers = { 'x-csrf-token': token };
  expect((await hana.post('/api/auth/login', { headers, data: account })).status()).toBe(200);
  const category = await hana.post('/api/categories', { headers, data: { name: 'Utilities' } });
  expect(category.status()).toBe(201);
  await hana.dispose();

  await page.getByRole('button', { name: `Actions for ${account.username}` }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${account.username}` });
  await dialog.getByLabel(`Type ${account.username} to confirm`).fill(account.username);
  await dialog.getByRole('button', { name: 'Delete user' }).click();

  const owns = dialog.getByRole('alert').filter({ hasText: 'This user still has data' });
  await expect(owns).toContainText('categor');
  await expect(dialog.getByRole('button', { name: 'Delete user' })).toBeDisabled();
  await owns.getByLabel('Delete their data too').check();
  await dialog.getByRole('button', { name: 'Delete user and data' }).click();
  await expect(dialog).toBeHidden();
  await expect(usernameCell(page, account.username)).toHaveCount(0);
});

test("a user's data moves to another user, who finds it in their tracker", async ({
  page,
  baseURL,
}) => {
  const ivy = await newUser(baseURL!, 'ivy');
  const jack = await newUser(baseURL!, 'jack');
  // Ivy has a bill, paid this month, in her own session.
  const asIvy = await apiAs(baseURL!, ivy);
  const phone = await asIvy.post<{ id: number; anchor_date: string }>('/api/bills', {
    name: 'Ivy phone',
    amount_cents: 4_500,
    cycle: 'monthly',
    due_day: 1,
  });
  await asIvy.post(`/api/occurrences/${phone.id}/${phone.anchor_date}/quick-pay`);
  await asIvy.dispose();

  await signIn(page);
  await mainNavigation(page).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('button', { name: `Actions for ${ivy.username}` }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${ivy.username}` });
  await dialog.getByLabel(`Type ${ivy.username} to confirm`).fill(ivy.username);
  await dialog.getByRole('button', { name: 'Delete user' }).click();

  const owns = dialog.getByRole('alert').filter({ hasText: 'This user still has data' });
  await expect(owns).toContainText('1 bills');
  await owns.getByLabel('Move it to another user').check();
  const move = dialog.getByRole('button', { name: 'Move data and delete user' });
  await expect(move).toBeDisabled();
  await owns.getByRole('combobox', { name: 'Move to' }).click();
  // Only other active users are offered: not Ivy herself.
  await expect(page.getByRole('option', { name: ivy.username })).toHaveCount(0);
  await page.getByRole('option', { name: jack.username, exact: true }).click();
  await move.click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByText(`User ${ivy.username} was deleted and their data moved.`),
  ).toBeVisible();
  await expect(usernameCell(page, ivy.username)).toHaveCount(0);

  // Jack's tracker now holds Ivy's bill, paid, and its cards count it.
  await signOut(page);
  await signInAs(page, jack);
  const tracker = await serverTracker(page);
  const row = tracker.buckets.flatMap((bucket) => bucket.rows).find((r) => r.bill_id === phone.id);
  expect(row?.status).toBe('paid');
  expect(tracker.totals.paid_cents).toBe(4_500);
  await expect(page.getByText('Ivy phone')).toBeVisible();
  await expectCardsToMatch(page, tracker);
});

test('the authentication settings test the provider and keep one sign-in method on', async ({
  page,
}) => {
  await signIn(page);
  await mainNavigation(page).getByRole('link', { name: 'Authentication' }).click();
  const local = page.getByRole('switch', { name: 'Sign in with username and password' });
  const oidc = page.getByRole('switch', { name: /^Sign in with single sign-on/ });
  // Single sign-on is configured from the environment (playwright.config.ts).
  await expect(local).toBeChecked();
  await expect(oidc).toBeChecked();
  await expect(page.getByText('A secret is set.')).toBeVisible();

  const test = page.getByRole('button', { name: 'Test provider' });
  await test.click();
  await expect(
    page.getByRole('status', { name: 'The provider answered as expected' }),
  ).toBeVisible();
  const checks = page.getByRole('list', { name: 'Provider checks' }).getByRole('listitem');
  await expect(checks).toHaveCount(4);
  for (const line of await checks.all()) {
    await expect(line).toContainText('(ok)');
  }

  // Unsaved values are tested as they stand in the form.
  const secret = page.getByLabel('Client secret');
  await secret.fill('not-the-client-secret');
  await test.click();
  await expect(
    page.getByRole('status', { name: 'The provider test found problems' }),
  ).toBeVisible();
  await expect(checks.filter({ hasText: 'Client credentials accepted' })).toContainText('(failed)');
  await secret.fill('');

  await local.uncheck();
  await oidc.uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not saved' })).toBeVisible();

  await page.reload();
  await expect(local).toBeChecked();
  await expect(oidc).toBeChecked();
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('signing in and out works at 375 pixels', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    expect(await horizontalOverflow(page)).toBe(0);

    await submitSignIn(page, ADMIN);
    await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
    await expect(userMenu(page)).toBeInViewport();
    expect(await horizontalOverflow(page)).toBe(0);

    await signOut(page);
    expect(await horizontalOverflow(page)).toBe(0);
  });
});
