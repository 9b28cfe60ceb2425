import { type APIRequestContext, expect, type Page, test } from '@playwright/test';
import {
  ADMIN,
  type Account,
  horizontalOverflow,
  mainNavigation,
  submitSignIn,
  uniqueUsername,
} from './helpers';
import { docScreenshot } from './screenshots';

// Amounts are checked as an en-US browser writes them in the default currency (USD).
test.use({ locale: 'en-US' });

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const money = (cents: number) => usd.format(cents / 100);

/** A POST, PUT or DELETE with the CSRF token of the context's session. */
async function csrfHeaders(api: APIRequestContext) {
  const { token } = (await (await api.get('/api/auth/csrf-token')).json()) as { token: string };
  return { 'x-csrf-token': token };
}

/** A new user of their own, so that no other test's bills change the figures. */
async function newUser(request: APIRequestContext, prefix: string): Promise<Account> {
  let headers = await csrfHeaders(request);
  const login = await request.post('/api/auth/login', { headers, data: ADMIN });
  expect(login.ok()).toBe(true);
  headers = await csrfHeaders(request);
  const account = { username: uniqueUsername(prefix), password: `${prefix}-password-1` };
  const created = await request.post('/api/admin/users', {
    headers,
    data: { ...account, role: 'user', must_change_password: false },
  });
  expect(created.status()).toBe(201);
  await request.post('/api/auth/logout', { headers });
  return account;
}

async function signInAs(page: Page, account: Account) {
  await page.goto('/login');
  await submitSignIn(page, account);
  await expect(page).not.toHaveURL(/\/login/);
}

function thisMonth() {
  const now = new Date();
  const year = now.getFullYear();
  const month = now.getMonth() + 1;
  const mm = String(month).padStart(2, '0');
  const last = new Date(year, month, 0).getDate();
  return { year, month, lastDay: `${year}-${mm}-${last}`, day20: `${year}-${mm}-20` };
}

/** One bill of $400.00 due on the 20th of this month, through the API as the signed-in user. */
async function addRent(page: Page) {
  const { day20 } = thisMonth();
  const created = await page.request.post('/api/bills', {
    headers: await csrfHeaders(page.request),
    data: { name: 'Rent', amount_cents: 40_000, cycle: 'monthly', due_day: 20, anchor_date: day20 },
  });
  expect(created.status()).toBe(201);
}

test('the summary saves starting money and income and shows the server figures', async ({
  page,
  request,
}, testInfo) => {
  const account = await newUser(request, 'sam');
  await signInAs(page, account);
  await addRent(page);
  const { year, month, lastDay } = thisMonth();

  await mainNavigation(page).getByRole('link', { name: 'Summary', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Summary', level: 2 })).toBeVisible();
  await expect(page).toHaveURL(/\/summary/);

  // Nothing planned yet: the bill alone is a shortfall.
  const left = page.getByRole('group', { name: 'Left after bills' });
  const safe = page.getByRole('group', { name: 'Safe to spend' });
  await expect(left).toContainText(money(-40_000));
  await expect(left).toContainText('Shortfall');

  // Starting money in the first bucket, and a paycheck at the end of the month.
  const plan = page.getByRole('form', { name: 'Plan for the month' });
  await plan.getByLabel('1st of the month').fill('1000');
  await plan.getByRole('button', { name: 'Add income' }).click();
  const paycheck = plan.getByRole('group', { name: 'Income 1' });
  await paycheck.getByLabel('Label').fill('Paycheck');
  await paycheck.getByLabel('Amount').fill('500');
  await paycheck.getByLabel('Expected on').fill(lastDay);
  await plan.getByRole('button', { name: 'Save plan' }).click();
  await expect(page.getByText('The plan for this month was saved.')).toBeVisible();

  // 1,000 + 500 - 400 left after bills; 1,000 - 400 safe to spend until the paycheck comes.
  await expect(left).toContainText(money(110_000));
  await expect(left).not.toContainText('Shortfall');
  await expect(safe).toContainText(money(60_000));

  // Every figure on the page is the server's.
  const answer = await page.request.get(`/api/summary?year=${year}&month=${month}`);
  const summary = (await answer.json()) as {
    totals: { left_after_bills_cents: number; due_cents: number };
    safe_to_spend_cents: number;
    income: { label: string; amount_cents: number; received: boolean }[];
  };
  expect(summary.income).toEqual([
    expect.objectContaining({ label: 'Paycheck', amount_cents: 50_000, received: false }),
  ]);
  await expect(left).toContainText(money(summary.totals.left_after_bills_cents));
  await expect(safe).toContainText(money(summary.safe_to_spend_cents));
  const table = page.getByRole('table', { name: 'Figures by bucket' });
  await expect(table.getByRole('row', { name: /Bills due/ })).toContainText(
    money(summary.totals.due_cents),
  );

  // The plan is kept: after a reload the form shows it again.
  await page.reload();
  await expect(page.getByRole('group', { name: 'Income 1: Paycheck' })).toBeVisible();
  await expect(plan.getByLabel('1st of the month')).toHaveValue(/^1,000(\.00)?$/);
  await docScreenshot(page, testInfo, 'runbook/docs/user/img/summary.png');

  // Received: the paycheck now counts, and no more income is expected this month.
  await page.getByRole('group', { name: 'Income 1: Paycheck' }).getByLabel('Received').check();
  await plan.getByRole('button', { name: 'Save plan' }).click();
  await expect(safe).toContainText(money(110_000));
  await expect(safe).toContainText('No more income expected this month');

  // The month lives in the address; the previous month has no plan.
  await page.getByRole('button', { name: 'Previous month' }).click();
  await expect(page).toHaveURL(/year=\d+&month=\d+/);
  await expect(page.getByText('No income entered for this month.')).toBeVisible();

  // Phone width: nothing sticks out at the side.
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/summary');
  await expect(left).toBeVisible();
  await expect.poll(() => horizontalOverflow(page)).toBe(0);
});

test('the calendar shows each bill on its due date and lists a day', async ({
  page,
  request,
}, testInfo) => {
  const account = await newUser(request, 'cal');
  await signInAs(page, account);
  await addRent(page);

  await mainNavigation(page).getByRole('link', { name: 'Calendar', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Calendar', level: 2 })).toBeVisible();
  const grid = page.getByRole('table', { name: /^Calendar for / });
  const the20th = grid.getByRole('button', { name: /, \w+ 20: 1 bill/ });
  await expect(the20th).toBeVisible();
  await the20th.click();
  await expect(the20th).toHaveAttribute('aria-pressed', 'true');
  const bills = page.getByRole('table', { name: 'Bills due' });
  await expect(bills).toContainText('Rent');
  await expect(bills).toContainText(money(40_000));
  await docScreenshot(page, testInfo, 'runbook/docs/user/img/calendar.png');

  // Keyboard: the days are buttons in reading order.
  await the20th.focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(the20th).toHaveAttribute('aria-pressed', 'false');

  await page.setViewportSize({ width: 375, height: 800 });
  await expect(grid).toBeVisible();
  await expect.poll(() => horizontalOverflow(page)).toBe(0);
});

test('a calendar feed shows its address once, gets a new one and is revoked', async ({
  page,
  request,
}, testInfo) => {
  const account = await newUser(request, 'feed');
  await signInAs(page, account);
  await addRent(page);

  await mainNavigation(page).getByRole('link', { name: 'Calendar feeds' }).click();
  await expect(page.getByRole('heading', { name: 'Calendar feeds', level: 2 })).toBeVisible();
  await expect(page.getByText('You have no calendar feeds yet.')).toBeVisible();

  await page.getByLabel('Label (optional)').fill('Phone');
  await page.getByRole('button', { name: 'Create feed' }).click();
  let dialog = page.getByRole('dialog', { name: 'Address of Phone' });
  await expect(dialog.getByText('It will not be shown again')).toBeVisible();
  const first = await dialog.getByLabel('Feed address').inputValue();
  expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/calendar\/feed\/[\w-]{43}\.ics$/);
  await expect(dialog.getByRole('button', { name: 'Copy address' })).toBeVisible();
  await docScreenshot(page, testInfo, 'runbook/docs/user/img/calendar-feed-address.png');

  // The address is a working iCal feed with the bill in it.
  const feed = await page.request.get(first);
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toContain('text/calendar');
  expect(await feed.text()).toContain('BEGIN:VCALENDAR');

  // Once closed, the address is nowhere on the page, not even after a reload.
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  const token = first.split('/').pop()!.replace('.ics', '');
  const card = page.getByRole('listitem', { name: 'Phone' });
  await expect(card).toBeVisible();
  expect(await page.content()).not.toContain(token);
  await page.reload();
  await expect(card).toBeVisible();
  expect(await page.content()).not.toContain(token);

  await card.getByRole('button', { name: 'Preview' }).click();
  await expect(card.getByRole('list', { name: 'Next events' })).toContainText('Rent');
  await docScreenshot(page, testInfo, 'runbook/docs/user/img/calendar-feeds.png');

  // A new address: the old one stops working at once.
  await card.getByRole('button', { name: 'New address' }).click();
  await page
    .getByRole('dialog', { name: 'New address for Phone' })
    .getByRole('button', {
      name: 'Give it a new address',
    })
    .click();
  dialog = page.getByRole('dialog', { name: 'Address of Phone' });
  const second = await dialog.getByLabel('Feed address').inputValue();
  expect(second).not.toBe(first);
  await dialog.getByRole('button', { name: 'Done' }).click();
  expect((await page.request.get(first)).status()).toBe(404);
  expect((await page.request.get(second)).status()).toBe(200);

  // Revoked: gone from the list, and the address answers 404.
  await card.getByRole('button', { name: 'Revoke' }).click();
  await page
    .getByRole('dialog', { name: 'Revoke Phone' })
    .getByRole('button', {
      name: 'Revoke feed',
    })
    .click();
  await expect(page.getByText('Phone was revoked.')).toBeVisible();
  await expect(card).toBeHidden();
  expect((await page.request.get(second)).status()).toBe(404);
});
