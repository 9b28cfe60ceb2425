import { expect, test } from '@playwright/test';
import {
  ADMIN,
  addSsoPerson,
  mainNavigation,
  signInAtProvider,
  SSO,
  submitSignIn,
  uniqueUsername,
  userMenu,
} from './helpers';

function person(login: string, name: string, groups: string[]) {
  return {
    email: `${login}@example.com`,
    email_verified: true,
    name,
    preferred_username: login,
    groups,
  };
}

test('single sign-on signs a new user in and returns to the page they asked for', async ({
  page,
}) => {
  const login = uniqueUsername('sam');
  addSsoPerson(login, person(login, 'Sam Single', ['staff']));

  await page.goto('/profile');
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  await page.getByRole('link', { name: `Sign in with ${SSO.providerName}` }).click();
  await signInAtProvider(page, login);

  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  await expect(page.getByText('You sign in with single sign-on')).toBeVisible();
  const history = page.getByRole('table', { name: 'Recent sign-ins' });
  await expect(history.getByRole('row').nth(1)).toContainText('Single sign-on');
  await expect(history.getByRole('row').nth(1)).toContainText('Succeeded');
  await expect(mainNavigation(page).getByRole('link', { name: 'Users' })).toHaveCount(0);
});

test('a member of the admin group gets the Admin section', async ({ page }) => {
  const login = uniqueUsername('ada');
  addSsoPerson(login, person(login, 'Ada Admin', [SSO.adminGroup]));

  await page.goto('/login');
  await page.getByRole('link', { name: `Sign in with ${SSO.providerName}` }).click();
  await signInAtProvider(page, login);

  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
  await expect(userMenu(page)).toContainText('Ada Admin');
  await expect(userMenu(page)).toContainText('Admin');
  await mainNavigation(page).getByRole('link', { name: 'Users' }).click();
  await expect(
    page.getByRole('table', { name: 'Users' }).getByRole('cell', { name: login, exact: true }),
  ).toBeVisible();
});

test('a cancelled single sign-on shows the reason on the sign-in page', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: `Sign in with ${SSO.providerName}` }).click();
  await page.getByRole('link', { name: '[ Cancel ]' }).click();

  await expect(page).toHaveURL(/\/login\?error=/);
  const alert = page.getByRole('alert').filter({ hasText: 'Single sign-on did not work' });
  await expect(alert).toBeVisible();
  const message = new URL(page.url()).searchParams.get('message');
  expect(message).toBeTruthy();
  await expect(alert).toContainText(message ?? '');

  // The password sign-in still works from here.
  await submitSignIn(page, ADMIN);
  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
});
