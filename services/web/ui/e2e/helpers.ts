import { expect, type Page } from '@playwright/test';

/** The admin the server creates on its first start (see playwright.config.ts). */
export const ADMIN = { username: 'admin', password: 'correct-horse-battery' };

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
