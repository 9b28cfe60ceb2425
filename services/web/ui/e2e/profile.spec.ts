import { expect, test } from '@playwright/test';
import { ADMIN, signIn, submitSignIn, userMenu } from './helpers';

test('the profile saves the display name and lists recent sign-ins', async ({ page, context }) => {
  await signIn(page);
  await userMenu(page).click();
  await page.getByRole('menuitem', { name: 'Profile' }).click();
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();

  const history = page.getByRole('table', { name: 'Recent sign-ins' });
  await expect(history.getByRole('row').nth(1)).toContainText('Password');
  await expect(history.getByRole('row').nth(1)).toContainText('Succeeded');

  // A CSRF cookie that expired or was replaced: the app fetches a new token and retries once.
  const profileAnswers: number[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/profile') {
      profileAnswers.push(response.status());
    }
  });
  await context.clearCookies({ name: 'bt_csrf_token' });
  const displayName = `Ada ${Date.now().toString(36)}`;
  await page.getByLabel('Display name').fill(displayName);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Your details were saved.')).toBeVisible();
  await expect(userMenu(page)).toContainText(displayName);
  expect(profileAnswers).toEqual([403, 200]);

  await page.reload();
  await expect(page.getByLabel('Display name')).toHaveValue(displayName);
  await page.getByLabel('Display name').fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(userMenu(page)).toContainText(ADMIN.username);
});

test('a rate-limited sign-in says how long to wait', async ({ page }) => {
  // Reaching the real limit would lock 127.0.0.1 out for every later test of this run, so the
  // server's documented answer is played back instead.
  await page.route('**/api/auth/login', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'retry-after': '840' },
      contentType: 'application/json',
      body: JSON.stringify({
        error: { code: 'RATE_LIMITED', message: 'too many sign-in attempts' },
      }),
    }),
  );
  await page.goto('/login');
  await submitSignIn(page, ADMIN);

  await expect(page.getByRole('alert')).toContainText('Try again in 14 minutes.');
  await expect(page).toHaveURL(/\/login$/);
});
