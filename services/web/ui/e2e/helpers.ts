import { expect, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The admin the server creates on its first start (see playwright.config.ts). */
export const ADMIN = { username: 'admin', password: 'correct-horse-battery' };

/** The single sign-on set up for the run: the test provider and its one client. */
export const SSO = {
  providerName: 'Test provider',
  clientId: 'billtracker-e2e',
  clientSecret: 'e2e-client-secret-not-used-elsewhere',
  adminGroup: 'billtracker-admins',
};

/** What the test provider says about a person in the ID token. */
export interface SsoPerson {
  email: string;
  email_verified: boolean;
  name: string;
  preferred_username: string;
  groups: string[];
}

/** Lets `login` sign in at the test provider; the provider reads the file at every lookup. */
export function addSsoPerson(login: string, person: SsoPerson) {
  const runDir = process.env.BILLTRACKER_E2E_RUN_DIR;
  if (!runDir) {
    throw new Error(
      'BILLTRACKER_E2E_RUN_DIR is not set: run the tests through playwright.config.ts',
    );
  }
  const file = join(runDir, 'oidc-accounts.json');
  const people = JSON.parse(readFileSync(file, 'utf8')) as Record<string, SsoPerson>;
  people[login] = person;
  writeFileSync(file, JSON.stringify(people));
}

/**
 * Fills in the test provider's sign-in and consent pages (its development pages take any
 * password) until the browser is back at BillTracker.
 */
export async function signInAtProvider(page: Page, login: string) {
  const loginField = page.locator('input[name="login"]');
  const consent = page.getByRole('button', { name: 'Continue' });
  await expect(loginField.or(consent)).toBeVisible();
  if (await loginField.isVisible()) {
    await loginField.fill(login);
    await page.locator('input[name="password"]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
  }
  await consent.click();
}

export interface Account {
  username: string;
  password: string;
}

/** A username no other test of this run has used: all tests share one data directory. */
export function uniqueUsername(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Fills the sign-in form of the page the browser is on and submits it. */
export async function submitSignIn(page: Page, account: Account) {
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Opens `/login`, signs in and waits for the home page. */
export async function signIn(page: Page, account: Account = ADMIN) {
  await page.goto('/login');
  await submitSignIn(page, account);
  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
}

/** The header button that opens Profile and Sign out. */
export function userMenu(page: Page) {
  return page.getByRole('button', { name: /^Account menu/ });
}

export async function signOut(page: Page) {
  await userMenu(page).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

export function mainNavigation(page: Page) {
  return page.getByRole('navigation', { name: 'Main navigation' });
}

/** Horizontal overflow of the page in pixels: 0 when nothing sticks out at the side. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}
