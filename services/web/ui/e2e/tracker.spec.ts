import { expect, type Page, test } from '@playwright/test';
import type { Bill } from '../src/api/types';
import {
  apiAs,
  expectCardsToMatch,
  money,
  newUser,
  screenshotPath,
  serverTracker,
  signInAs,
  signInNewUser,
} from './bills-helpers';
import { horizontalOverflow } from './helpers';

test.use({ locale: 'en-US', colorScheme: 'light' });

/** Toasts cover part of the page; the pictures of the user guide leave them out. */
const NO_TOASTS = '.mantine-Notifications-root { display: none !important; }';

interface NewBill {
  name: string;
  amount: string;
  dueDay: string;
  category?: string;
}

/** Fills the bill editor, which is open, and saves. */
async function addBill(page: Page, bill: NewBill) {
  const dialog = page.getByRole('dialog', { name: 'New bill' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(bill.name);
  if (bill.category) {
    await dialog.getByRole('combobox', { name: 'Category' }).click();
    await page.getByRole('option', { name: bill.category, exact: true }).click();
  }
  await dialog.getByLabel('Expected amount').fill(bill.amount);
  await dialog.getByLabel('Due day').fill(bill.dueDay);
  await dialog.getByRole('button', { name: 'Add bill' }).click();
  await expect(dialog).toBeHidden();
}

function occurrence(page: Page, name: string) {
  return page.getByTestId('occurrence').filter({ hasText: name });
}

function toast(page: Page, text: string | RegExp) {
  return page.getByRole('alert').filter({ hasText: text });
}

const monthName = (year: number, month: number) =>
  new Date(year, month - 1, 1).toLocaleString('en-US', { month: 'long', year: 'numeric' });

/**
 * The daily flow of a new user: a category and three bills through the UI, quick pay and its
 * Undo, "Pay all due" with its confirmation and Undo, and the months around; the cards show
 * exactly what the server counts.
 */
async function dailyFlow(page: Page, baseURL: string, phone: boolean) {
  const account = await newUser(baseURL, phone ? 'phone' : 'tracker');
  await signInNewUser(page, account);

  await page.getByRole('button', { name: 'Create a category' }).click();
  const categoryDialog = page.getByRole('dialog', { name: 'New category' });
  await categoryDialog.getByLabel('Name').fill('Housing');
  await categoryDialog.getByRole('button', { name: 'Create category' }).click();
  await expect(categoryDialog).toBeHidden();

  // The first bill turns the welcome page into the tracker of this month.
  await page.getByRole('button', { name: 'Add a bill' }).click();
  await addBill(page, { name: 'Rent', amount: '1200', dueDay: '1', category: 'Housing' });
  const current = await serverTracker(page);
  await expect(
    page.getByRole('heading', { level: 2, name: monthName(current.year, current.month) }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'New bill' }).click();
  await addBill(page, { name: 'Phone', amount: '45.50', dueDay: '1' });
  await page.getByRole('button', { name: 'New bill' }).click();
  await addBill(page, { name: 'Power', amount: '90', dueDay: '28' });
  await expect(page.getByTestId('occurrence')).toHaveCount(3);
  await expect(occurrence(page, 'Rent')).toContainText('Housing');
  await expectCardsToMatch(page, await serverTracker(page));

  // Quick pay shows the bill paid at once; Undo deletes the payment again.
  const rent = occurrence(page, 'Rent');
  await rent.getByRole('button', { name: 'Quick pay Rent' }).click();
  const paidBadge = rent.getByRole('button', { name: /remove the payments of Rent/ });
  await expect(paidBadge).toHaveText('Paid');
  await toast(page, 'Rent paid: $1,200.00.').getByRole('button', { name: 'Undo' }).click();
  await expect(toast(page, 'Rent is unpaid again.')).toBeVisible();
  await expect(rent.getByRole('button', { name: 'Quick pay Rent' })).toBeVisible();
  await expect(paidBadge).toHaveCount(0);
  await expectCardsToMatch(page, await serverTracker(page));

  // "Pay all due" confirms the count and total of the server's dry run; one Undo reverts all.
  const first = page.getByRole('region', { name: '1st of the month' });
  await first.getByRole('button', { name: 'Pay all due' }).click();
  const confirm = page.getByRole('dialog', { name: 'Pay all due: 1st of the month' });
  await expect(confirm.getByTestId('pay-all-summary')).toContainText('2 bills');
  await expect(confirm.getByTestId('pay-all-summary')).toContainText(money(124_550));
  if (!phone) {
    await page.screenshot({ path: screenshotPath('pay-all-due.png'), style: NO_TOASTS });
  }
  await confirm.getByRole('button', { name: 'Pay 2 bills' }).click();
  await expect(confirm).toBeHidden();
  const paidAll = toast(page, 'Paid 2 bills: $1,245.50.');
  await expect(occurrence(page, 'Phone').getByRole('button', { name: /remove the/ })).toBeVisible();
  await expectCardsToMatch(page, await serverTracker(page));
  await paidAll.getByRole('button', { name: 'Undo' }).click();
  await expect(toast(page, 'The 2 bills paid are unpaid again.')).toBeVisible();
  await expect(page.getByRole('button', { name: /remove the payments/ })).toHaveCount(0);
  await expectCardsToMatch(page, await serverTracker(page));

  await first.getByRole('button', { name: 'Pay all due' }).click();
  await confirm.getByRole('button', { name: 'Pay 2 bills' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('button', { name: /remove the payments/ })).toHaveCount(2);
  const paid = await serverTracker(page);
  expect(paid.totals.paid_cents).toBe(124_550);
  await expectCardsToMatch(page, paid);
  const firstTotals = paid.buckets.find((bucket) => bucket.bucket === 'first')!.totals;
  await expect(first.getByTestId('bucket-subtotal')).toHaveText(
    `Due ${money(firstTotals.due_cents)} · Paid ${money(firstTotals.paid_cents)} · ` +
      `Remaining ${money(firstTotals.remaining_cents)}`,
  );

  // The next month and back: the address carries the month, the cards follow the server.
  const nextMonth = current.month === 12 ? 1 : current.month + 1;
  const nextYear = current.month === 12 ? current.year + 1 : current.year;
  await page.getByRole('link', { name: `Next month, ${monthName(nextYear, nextMonth)}` }).click();
  await expect(page).toHaveURL(new RegExp(`\\?year=${nextYear}&month=${nextMonth}$`));
  await expect(
    page.getByRole('heading', { level: 2, name: monthName(nextYear, nextMonth) }),
  ).toBeVisible();
  const next = await serverTracker(page, nextYear, nextMonth);
  expect(next.totals.paid_cents).toBe(0);
  await expectCardsToMatch(page, next);
  await expect(page.getByTestId('occurrence')).toHaveCount(3);

  await page
    .getByRole('link', { name: `Previous month, ${monthName(current.year, current.month)}` })
    .click();
  await expect(
    page.getByRole('heading', { level: 2, name: monthName(current.year, current.month) }),
  ).toBeVisible();
  await expectCardsToMatch(page, await serverTracker(page, current.year, current.month));
  await expect(page.getByRole('button', { name: /remove the payments/ })).toHaveCount(2);

  expect(await horizontalOverflow(page)).toBe(0);
  await page.screenshot({
    path: screenshotPath(phone ? 'tracker-phone.png' : 'tracker.png'),
    style: NO_TOASTS,
  });
}

test.describe('on a wide screen', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('a new user adds bills, pays them and sees the server totals', async ({ page, baseURL }) => {
    await dailyFlow(page, baseURL!, false);
  });

  test('the bill editor shows the server’s error under the due day', async ({ page, baseURL }) => {
    await signInNewUser(page, await newUser(baseURL!, 'dueday'));
    await page.getByRole('button', { name: 'Add a bill' }).click();
    const dialog = page.getByRole('dialog', { name: 'New bill' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Water');
    await dialog.getByLabel('Expected amount').fill('30');
    await dialog.getByLabel('Due day').fill('32');
    await dialog.getByRole('button', { name: 'Add bill' }).click();

    const dueDay = dialog.getByLabel('Due day');
    await expect(dueDay).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByText('The due day is a day of the month, 1 to 31')).toBeVisible();
    // Nothing was created: the user is still on the welcome page behind the dialog.
    const bills = await page.request.get('/api/bills');
    expect(await bills.json()).toEqual([]);

    await dueDay.fill('31');
    await dialog.getByRole('button', { name: 'Add bill' }).click();
    await expect(dialog).toBeHidden();
    await expect(occurrence(page, 'Water')).toBeVisible();
  });
  test('record a payment, change one month, remove payments, and the earlier months', async ({
    page,
    baseURL,
  }) => {
    const account = await newUser(baseURL!, 'months');
    const api = await apiAs(baseURL!, account);
    const { today } = await api.get<{ today: string }>('/api/tracker');
    // Two months back, so the previous month's bills are still unpaid.
    const [year, month] = today.split('-').map(Number);
    const start = new Date(year, month - 3, 1);
    const anchor = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}-01`;
    for (const [name, cents] of [
      ['Internet', 6_000],
      ['Gym', 3_000],
    ] as const) {
      await api.post<Bill>('/api/bills', {
        name,
        amount_cents: cents,
        cycle: 'monthly',
        due_day: 1,
        anchor_date: anchor,
      });
    }
    await signInAs(page, account);

    // Earlier months: pay, skip (with Undo) and snooze.
    const earlier = page.getByRole('region', { name: 'Still unpaid from earlier months' });
    await expect(earlier.getByRole('button', { name: 'Pay Internet' })).toHaveCount(2);
    await earlier.getByRole('button', { name: 'Skip Gym' }).first().click();
    await expect(earlier.getByRole('button', { name: 'Skip Gym' })).toHaveCount(1);
    await toast(page, /Gym .* skipped/)
      .getByRole('button', { name: 'Undo' })
      .click();
    await expect(earlier.getByRole('button', { name: 'Skip Gym' })).toHaveCount(2);
    await earlier.getByRole('button', { name: 'Pay Internet' }).first().click();
    await expect(earlier.getByRole('button', { name: 'Pay Internet' })).toHaveCount(1);
    await earlier.getByRole('button', { name: 'Snooze Gym' }).first().click();
    const snooze = page.getByRole('dialog', { name: 'Snooze Gym' });
    await snooze.getByRole('button', { name: 'Snooze' }).click();
    await expect(snooze).toBeHidden();
    await expect(earlier.getByRole('button', { name: 'Snooze Gym' })).toHaveCount(1);
    const overdue = await page.request.get('/api/tracker/overdue');
    expect(((await overdue.json()) as unknown[]).length).toBe(2);

    // Record a payment: the client asks for an amount, the server refuses a far future date.
    const internet = occurrence(page, 'Internet');
    await internet.getByRole('button', { name: 'More for Internet' }).click();
    await page.getByRole('menuitem', { name: 'Record a payment…' }).click();
    const record = page.getByRole('dialog', { name: 'Record a payment: Internet' });
    await expect(record.getByLabel('Amount')).toHaveValue('60.00');
    await record.getByLabel('Amount').fill('');
    await record.getByRole('button', { name: 'Record payment' }).click();
    await expect(record.getByText('Enter the amount paid')).toBeVisible();
    await record.getByLabel('Amount').fill('20');
    await record.getByLabel('Paid on').fill('2099-01-01');
    await record.getByRole('button', { name: 'Record payment' }).click();
    await expect(record.getByLabel('Paid on')).toHaveAttribute('aria-invalid', 'true');
    await expect(record.getByText(/not in the far future/)).toBeVisible();
    await record.getByLabel('Paid on').fill(today);
    await record.getByRole('combobox', { name: 'Method' }).click();
    await page.getByRole('option', { name: 'Card' }).click();
    await record.getByRole('button', { name: 'Record payment' }).click();
    await expect(record).toBeHidden();
    await expect(internet).toContainText('Partly paid');
    await expect(internet).toContainText('$40.00 left');
    await expectCardsToMatch(page, await serverTracker(page));

    // The badge of a paid occurrence removes its payments, with Undo.
    await internet.getByRole('button', { name: /remove the payments of Internet/ }).click();
    const remove = page.getByRole('dialog', { name: 'Remove payments: Internet' });
    await remove.getByRole('button', { name: 'Remove payments' }).click();
    await expect(internet).not.toContainText('Partly paid');
    await toast(page, 'The payments toward Internet were removed.')
      .getByRole('button', { name: 'Undo' })
      .click();
    await expect(internet).toContainText('Partly paid');

    // This month only: another amount, then skipped.
    await internet.getByRole('button', { name: 'More for Internet' }).click();
    await page.getByRole('menuitem', { name: 'Change this month…' }).click();
    const change = page.getByRole('dialog', { name: 'This month: Internet' });
    await change.getByLabel('Amount this time').fill('75');
    await change.getByLabel('Note').fill('Price went up');
    await change.getByRole('button', { name: 'Save' }).click();
    await expect(change).toBeHidden();
    await expect(internet).toContainText('$75.00');
    await expect(internet).toContainText('usually $60.00');
    await expect(internet).toContainText('Price went up');
    await expect(internet).toContainText('$55.00 left');
    await expectCardsToMatch(page, await serverTracker(page));

    const gym = occurrence(page, 'Gym');
    await gym.getByRole('button', { name: 'More for Gym' }).click();
    await page.getByRole('menuitem', { name: 'Change this month…' }).click();
    const skip = page.getByRole('dialog', { name: 'This month: Gym' });
    await skip.getByLabel('Skip this time (nothing is due)').check();
    await skip.getByRole('button', { name: 'Save' }).click();
    await expect(gym).toContainText('Skipped');
    await expect(gym.getByRole('button', { name: 'Quick pay Gym' })).toHaveCount(0);
    await expectCardsToMatch(page, await serverTracker(page));

    // "By date" keeps the server's order; "Pin due" puts what needs paying first.
    await page.getByRole('radiogroup', { name: 'Order' }).getByText('By date').click();
    await expect(page).toHaveURL(/sort=date/);
    await page.getByRole('radiogroup', { name: 'Order' }).getByText('Pin due').click();
    await expect(page).not.toHaveURL(/sort=/);
    await expect(page.getByTestId('occurrence').first()).toContainText('Internet');
    await api.dispose();
  });
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the same flow works at 375 pixels, rows as cards', async ({ page, baseURL }) => {
    await dailyFlow(page, baseURL!, true);
  });
});
