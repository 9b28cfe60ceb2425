// Helpers of the tracker and bills tests: a fresh user per test (created through the admin
// API), the server's own figures, and the toasts that confirm a change.
import { type APIRequestContext, expect, type Page, request } from '@playwright/test';
import type { Summary, Tracker } from '../src/api/types';
import { ADMIN, type Account, submitSignIn, uniqueUsername } from './helpers';

/** A JSON API client with its own cookies, signed in as `account`, sending the CSRF token. */
export async function apiAs(baseURL: string, account: Account): Promise<ApiClient> {
  const context = await request.newContext({ baseURL });
  const client = new ApiClient(context);
  await client.post('/api/auth/login', account);
  return client;
}

export class ApiClient {
  private token: string | undefined;

  constructor(readonly context: APIRequestContext) {}

  async get<T>(path: string): Promise<T> {
    const response = await this.context.get(path);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    const response = await this.context.post(path, {
      data: body,
      headers: { 'x-csrf-token': await this.csrf() },
    });
    expect(response.ok(), `POST ${path}: ${await response.text()}`).toBe(true);
    return (await response.json()) as T;
  }

  async put<T>(path: string, body?: unknown): Promise<T> {
    const response = await this.context.put(path, {
      data: body,
      headers: { 'x-csrf-token': await this.csrf() },
    });
    expect(response.ok(), `PUT ${path}: ${await response.text()}`).toBe(true);
    return (await response.json()) as T;
  }

  async dispose() {
    await this.context.dispose();
  }

  private async csrf(): Promise<string> {
    if (this.token === undefined) {
      const response = await this.context.get('/api/auth/csrf-token');
      this.token = ((await response.json()) as { token: string }).token;
    }
    return this.token;
  }
}

/** A new user with no bills, created by the admin through the API. */
export async function newUser(baseURL: string, prefix: string): Promise<Account> {
  const account = { username: uniqueUsername(prefix), password: `${prefix}-password-1` };
  const admin = await apiAs(baseURL, ADMIN);
  await admin.post('/api/admin/users', {
    username: account.username,
    password: account.password,
    role: 'user',
    must_change_password: false,
  });
  await admin.dispose();
  return account;
}

/** Signs a user with no bills in; they land on the welcome page. */
export async function signInNewUser(page: Page, account: Account) {
  await page.goto('/login');
  await submitSignIn(page, account);
  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
}

/** Signs in a user who already has bills; they land on the tracker. */
export async function signInAs(page: Page, account: Account) {
  await page.goto('/login');
  await submitSignIn(page, account);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('group', { name: 'Due this month' })).toBeVisible();
}

/**
 * Money as the app writes it in the tests' locale (en-US) and the run's currency: the server
 * of the run has the default, USD (about.spec.ts checks that the app uses what the server
 * names; currency.spec.ts runs servers with other currencies).
 */
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
export function money(cents: number): string {
  return usd.format(cents / 100);
}

/** Asks the server for a month with the browser's own session. */
export async function serverTracker(page: Page, year?: number, month?: number) {
  const query = year === undefined ? '' : `?year=${year}&month=${month}`;
  const response = await page.request.get(`/api/tracker${query}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as Tracker;
}

/** Asks the server for a month's summary (the plan and its figures) with the browser's session. */
export async function serverSummary(page: Page, year: number, month: number) {
  const response = await page.request.get(`/api/summary?year=${year}&month=${month}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as Summary;
}

/** Each card at the top of the tracker shows exactly the server's figure. */
export async function expectCardsToMatch(page: Page, answer: Tracker) {
  const value = (label: string) =>
    page.getByRole('group', { name: label, exact: true }).getByTestId('total-value');
  const overdue = answer.totals.overdue_count;
  await expect(value('Due this month')).toHaveText(money(answer.totals.due_cents));
  await expect(value('Paid')).toHaveText(money(answer.totals.paid_cents));
  await expect(value('Remaining')).toHaveText(money(answer.totals.remaining_cents));
  await expect(value('Overdue')).toHaveText(overdue === 1 ? '1 bill' : `${overdue} bills`);
}

/** The starting money card shows the server's starting money and what is left after bills. */
export async function expectStartingMoneyToMatch(page: Page, answer: Summary) {
  const card = page.getByRole('group', { name: 'Starting money', exact: true });
  await expect(card.getByTestId('starting-money')).toHaveText(money(answer.totals.starting_cents));
  await expect(card.getByTestId('left-after-bills')).toHaveText(
    `Left after bills: ${money(answer.totals.left_after_bills_cents)}` +
      (answer.totals.shortfall ? ' (shortfall)' : ''),
  );
}

/** The toast that says `text`. */
export function toast(page: Page, text: string | RegExp) {
  return page.getByRole('alert').filter({ hasText: text });
}

/**
 * Closes a toast that has been read, as a user does when it covers what they click next: a
 * toast under the resting mouse does not time out.
 */
export async function dismiss(notice: ReturnType<typeof toast>) {
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toBeHidden();
}
