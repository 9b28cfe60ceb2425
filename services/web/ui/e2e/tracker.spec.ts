import { expect, type Page, test } from '@playwright/test';
import {
  expectCardsToMatch,
  money,
  newUser,
  screenshotPath,
  serverTracker,
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
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the same flow works at 375 pixels, rows as cards', async ({ page, baseURL }) => {
    await dailyFlow(page, baseURL!, true);
  });
});
