import { expect, type Locator, type Page, test } from '@playwright/test';
import type { Bill, Category } from '../src/api/types';
import { apiAs, newUser, signInAs } from './bills-helpers';
import { ADMIN, type Account, horizontalOverflow, submitSignIn } from './helpers';

// Every page of the app at phone width, with data on it: nothing sticks out at the side, so
// the page never scrolls sideways (wide tables scroll inside their own box).
test.use({ locale: 'en-US', viewport: { width: 375, height: 740 } });

interface Stop {
  path: string;
  /** Shown once the page has its data. */
  ready: (page: Page) => Locator;
}

/** Opens each page and checks it once its data is in. */
async function visit(page: Page, stops: Stop[]) {
  for (const stop of stops) {
    await page.goto(stop.path);
    await expect(stop.ready(page), stop.path).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Loading' })).toHaveCount(0);
    await expect
      .poll(() => horizontalOverflow(page), { message: `${stop.path} scrolls sideways` })
      .toBe(0);
  }
}

/** A user with a bit of everything: categories, bills, payments, a plan and a feed. */
async function userWithData(baseURL: string): Promise<{ account: Account; bill: Bill }> {
  const account = await newUser(baseURL, 'phone-pages');
  const api = await apiAs(baseURL, account);
  const category = await api.post<Category>('/api/categories', {
    name: 'Subscriptions and memberships',
    color: '#7950f2',
  });
  const bill = await api.post<Bill>('/api/bills', {
    name: 'Internet and television bundle',
    category_id: category.id,
    amount_cents: 1_234_567,
    cycle: 'monthly',
    due_day: 1,
    website: 'https://provider.example',
  });
  await api.post<Bill>('/api/bills', {
    name: 'Car insurance',
    amount_cents: 60_000,
    cycle: 'semiannual',
    due_day: 20,
  });
  for (const cents of [1_000, 2_500]) {
    await api.post('/api/payments', {
      bill_id: bill.id,
      due_date: bill.anchor_date,
      amount_cents: cents,
      method: 'bank transfer',
      note: 'Paid from the joint account',
    });
  }
  const { year, month } = await api.get<{ year: number; month: number }>('/api/tracker');
  await api.put(`/api/summary?year=${year}&month=${month}`, {
    starting: { first: 150_000, fifteenth: 50_000 },
  });
  await api.post('/api/calendar/feeds', { label: 'Phone' });
  await api.dispose();
  return { account, bill };
}

test('no page of a user scrolls sideways at 375 pixels', async ({ page, baseURL }) => {
  const { account, bill } = await userWithData(baseURL!);
  await signInAs(page, account);

  await visit(page, [
    { path: '/', ready: (p) => p.getByTestId('starting-money') },
    { path: '/bills', ready: (p) => p.getByRole('table', { name: 'Bills' }) },
    { path: `/bills/${bill.id}`, ready: (p) => p.getByRole('table', { name: 'Payments' }) },
    { path: '/categories', ready: (p) => p.getByRole('table', { name: 'Categories' }) },
    { path: '/summary', ready: (p) => p.getByRole('table', { name: 'Figures by bucket' }) },
    { path: '/calendar', ready: (p) => p.getByRole('table', { name: /^Calendar for / }) },
    { path: '/settings/calendar', ready: (p) => p.getByRole('listitem', { name: 'Phone' }) },
    { path: '/profile', ready: (p) => p.getByRole('heading', { name: 'Profile', level: 2 }) },
    { path: '/about', ready: (p) => p.getByTestId('about-version') },
  ]);
});

test('no admin page scrolls sideways at 375 pixels', async ({ page }) => {
  await page.goto('/login');
  await submitSignIn(page, ADMIN);
  await expect(page).not.toHaveURL(/\/login/);

  await visit(page, [
    { path: '/admin/users', ready: (p) => p.getByRole('table', { name: 'Users' }) },
    { path: '/admin/authentication', ready: (p) => p.getByLabel('Issuer URL') },
    { path: '/admin/audit', ready: (p) => p.getByRole('table', { name: 'Audit log' }) },
    { path: '/admin/status', ready: (p) => p.getByRole('region', { name: 'Database' }) },
    { path: '/admin/backups', ready: (p) => p.getByRole('heading', { name: 'Backups', level: 2 }) },
    { path: '/admin/cleanup', ready: (p) => p.getByRole('table', { name: 'Cleanup tasks' }) },
  ]);
});
