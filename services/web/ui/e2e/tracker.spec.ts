import { expect, type Locator, type Page, type Route, test, type TestInfo } from '@playwright/test';
import type { Bill, BulkPaid, Bucket, Tracker } from '../src/api/types';
import {
  apiAs,
  dismiss,
  expectCardsToMatch,
  expectStartingMoneyToMatch,
  money,
  newUser,
  serverSummary,
  serverTracker,
  signInAs,
  signInNewUser,
  toast,
} from './bills-helpers';
import { horizontalOverflow, mainNavigation } from './helpers';
import { docScreenshot, HIDE_TOASTS } from './screenshots';
import { runDailyRun } from './server';

// Each test walks a whole flow through a debug build of the server: give it time.
test.describe.configure({ timeout: 90_000 });
test.use({ locale: 'en-US', colorScheme: 'light' });

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

function row(answer: Tracker, name: string) {
  const found = answer.buckets.flatMap((bucket) => bucket.rows).find((r) => r.name === name);
  expect(found, `${name} in the server's tracker`).toBeDefined();
  return found!;
}

/** What "Pay all due" would pay in a bucket, asked of the server with the browser's session. */
async function payAllDryRun(page: Page, answer: Tracker, bucket: Bucket): Promise<BulkPaid> {
  const { token } = (await (await page.request.get('/api/auth/csrf-token')).json()) as {
    token: string;
  };
  const response = await page.request.post('/api/payments/bulk', {
    headers: { 'x-csrf-token': token },
    data: { year: answer.year, month: answer.month, bucket, dry_run: true },
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as BulkPaid;
}

const monthName = (year: number, month: number) =>
  new Date(year, month - 1, 1).toLocaleString('en-US', { month: 'long', year: 'numeric' });

const bills = (count: number) => (count === 1 ? '1 bill' : `${count} bills`);

/**
 * The daily flow of a new user: a category and three bills through the UI, the month's
 * starting money from the Summary page, quick pay and its Undo, "Pay all due" with its
 * confirmation and Undo, and the months around; the cards show exactly what the server counts.
 */
async function dailyFlow(page: Page, baseURL: string, testInfo: TestInfo, phone: boolean) {
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
  const { year, month } = current;
  await expect(page.getByRole('heading', { level: 2, name: monthName(year, month) })).toBeVisible();
  await expect(occurrence(page, 'Rent')).toContainText('Housing');

  // Nothing planned yet: the starting money card says so and leads to the month's summary.
  const starting = page.getByRole('group', { name: 'Starting money', exact: true });
  await expect(starting.getByTestId('starting-money-empty')).toHaveText(
    `Nothing planned for ${monthName(year, month)} yet.`,
  );
  await starting.getByRole('link', { name: 'Set starting money' }).click();
  await expect(page).toHaveURL(new RegExp(`/summary\\?year=${year}&month=${month}$`));
  const plan = page.getByRole('form', { name: 'Plan for the month' });
  await plan.getByLabel('1st of the month').fill('1500');
  await plan.getByLabel('15th of the month').fill('400');
  await plan.getByRole('button', { name: 'Save plan' }).click();
  await dismiss(toast(page, 'The plan for this month was saved.'));
  await page.goBack();
  await expectStartingMoneyToMatch(page, await serverSummary(page, year, month));

  // Two more bills from the tracker: the cards and what is left after bills follow at once.
  await page.getByRole('button', { name: 'New bill' }).click();
  await addBill(page, { name: 'Phone', amount: '45.50', dueDay: '1' });
  await page.getByRole('button', { name: 'New bill' }).click();
  await addBill(page, { name: 'Power', amount: '90', dueDay: '28' });
  await expect(page.getByTestId('occurrence')).toHaveCount(3);
  const added = await serverTracker(page);
  expect(added.totals.due_cents).toBeGreaterThan(current.totals.due_cents);
  await expectCardsToMatch(page, added);
  await expectStartingMoneyToMatch(page, await serverSummary(page, year, month));

  // Quick pay shows the bill paid at once; Undo deletes the payment again.
  const rent = occurrence(page, 'Rent');
  await rent.getByRole('button', { name: 'Quick pay Rent' }).click();
  const paidBadge = rent.getByRole('button', { name: /remove the payments of Rent/ });
  await expect(paidBadge).toHaveText('Paid');
  const quickPaid = await serverTracker(page);
  expect(row(quickPaid, 'Rent').status).toBe('paid');
  await expectCardsToMatch(page, quickPaid);
  await toast(page, `Rent paid: ${money(row(added, 'Rent').remaining_cents)}.`)
    .getByRole('button', { name: 'Undo' })
    .click();
  await dismiss(toast(page, 'Rent is unpaid again.'));
  await expect(rent.getByRole('button', { name: 'Quick pay Rent' })).toBeVisible();
  await expect(paidBadge).toHaveCount(0);
  await expectCardsToMatch(page, await serverTracker(page));

  // "Pay all due" confirms the count and total of the server's dry run; one Undo reverts all.
  const first = page.getByRole('region', { name: '1st of the month' });
  const due = await payAllDryRun(page, added, 'first');
  expect(due.count).toBe(2);
  await first.getByRole('button', { name: 'Pay all due' }).click();
  const confirm = page.getByRole('dialog', { name: 'Pay all due: 1st of the month' });
  const summary = confirm.getByTestId('pay-all-summary');
  await expect(summary).toContainText(bills(due.count));
  await expect(summary).toContainText(money(due.total_cents));
  if (!phone) {
    await docScreenshot(page, testInfo, 'runbook/docs/user/img/pay-all-due.png', {
      style: HIDE_TOASTS,
    });
  }
  await confirm.getByRole('button', { name: `Pay ${bills(due.count)}` }).click();
  await expect(confirm).toBeHidden();
  const paidAll = toast(page, `Paid ${bills(due.count)}: ${money(due.total_cents)}.`);
  await expect(occurrence(page, 'Phone').getByRole('button', { name: /remove the/ })).toBeVisible();
  await expectCardsToMatch(page, await serverTracker(page));
  await paidAll.getByRole('button', { name: 'Undo' }).click();
  await dismiss(toast(page, `The ${bills(due.count)} paid are unpaid again.`));
  await expect(page.getByRole('button', { name: /remove the payments/ })).toHaveCount(0);
  await expectCardsToMatch(page, await serverTracker(page));

  await first.getByRole('button', { name: 'Pay all due' }).click();
  await confirm.getByRole('button', { name: `Pay ${bills(due.count)}` }).click();
  await expect(confirm).toBeHidden();
  await dismiss(toast(page, `Paid ${bills(due.count)}: ${money(due.total_cents)}.`));
  await expect(page.getByRole('button', { name: /remove the payments/ })).toHaveCount(due.count);
  const paid = await serverTracker(page);
  await expectCardsToMatch(page, paid);
  const firstTotals = paid.buckets.find((bucket) => bucket.bucket === 'first')!.totals;
  expect(firstTotals.paid_cents).toBe(due.total_cents);
  await expect(first.getByTestId('bucket-subtotal')).toHaveText(
    `Due ${money(firstTotals.due_cents)} · Paid ${money(firstTotals.paid_cents)} · ` +
      `Remaining ${money(firstTotals.remaining_cents)}`,
  );

  // The next month and back: the address carries the month, the cards follow the server.
  const nextMonth = month === 12 ? 1 : month + 1;
  const nextYear = month === 12 ? year + 1 : year;
  await page.getByRole('link', { name: `Next month, ${monthName(nextYear, nextMonth)}` }).click();
  await expect(page).toHaveURL(new RegExp(`\\?year=${nextYear}&month=${nextMonth}$`));
  await expect(
    page.getByRole('heading', { level: 2, name: monthName(nextYear, nextMonth) }),
  ).toBeVisible();
  const next = await serverTracker(page, nextYear, nextMonth);
  expect(next.totals.paid_cents).toBe(0);
  await expectCardsToMatch(page, next);
  await expect(page.getByTestId('occurrence')).toHaveCount(3);
  await expect(starting.getByTestId('starting-money-empty')).toHaveText(
    `Nothing planned for ${monthName(nextYear, nextMonth)} yet.`,
  );

  await page.getByRole('link', { name: `Previous month, ${monthName(year, month)}` }).click();
  await expect(page.getByRole('heading', { level: 2, name: monthName(year, month) })).toBeVisible();
  await expectCardsToMatch(page, await serverTracker(page, year, month));
  await expectStartingMoneyToMatch(page, await serverSummary(page, year, month));
  await expect(page.getByRole('button', { name: /remove the payments/ })).toHaveCount(due.count);

  expect(await horizontalOverflow(page)).toBe(0);
  await docScreenshot(
    page,
    testInfo,
    `runbook/docs/user/img/${phone ? 'tracker-phone.png' : 'tracker.png'}`,
    { style: HIDE_TOASTS },
  );
}

test.describe('on a wide screen', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('a new user adds bills, pays them and sees the server totals', async ({
    page,
    baseURL,
  }, testInfo) => {
    await dailyFlow(page, baseURL!, testInfo, false);
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
    const created = await page.request.get('/api/bills');
    expect(await created.json()).toEqual([]);

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
    await dismiss(toast(page, 'Gym is due again.'));
    await expect(earlier.getByRole('button', { name: 'Skip Gym' })).toHaveCount(2);
    await earlier.getByRole('button', { name: 'Pay Internet' }).first().click();
    await expect(earlier.getByRole('button', { name: 'Pay Internet' })).toHaveCount(1);
    await dismiss(toast(page, /^Internet paid: /));
    await earlier.getByRole('button', { name: 'Snooze Gym' }).first().click();
    const snooze = page.getByRole('dialog', { name: 'Snooze Gym' });
    await snooze.getByRole('button', { name: 'Snooze' }).click();
    await expect(snooze).toBeHidden();
    await dismiss(toast(page, /^Gym is snoozed until /));
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
    await dismiss(toast(page, `${money(2_000)} paid toward Internet.`));
    await expect(internet).toContainText('Partly paid');
    const partly = await serverTracker(page);
    expect(row(partly, 'Internet').paid_cents).toBe(2_000);
    await expect(internet).toContainText(`${money(row(partly, 'Internet').remaining_cents)} left`);
    await expectCardsToMatch(page, partly);

    // The badge of a paid occurrence removes its payments, with Undo.
    await internet.getByRole('button', { name: /remove the payments of Internet/ }).click();
    const remove = page.getByRole('dialog', { name: 'Remove payments: Internet' });
    await remove.getByRole('button', { name: 'Remove payments' }).click();
    await expect(internet).not.toContainText('Partly paid');
    await expectCardsToMatch(page, await serverTracker(page));
    await toast(page, 'The payments toward Internet were removed.')
      .getByRole('button', { name: 'Undo' })
      .click();
    await dismiss(toast(page, 'The payments toward Internet are back.'));
    await expect(internet).toContainText('Partly paid');
    await expectCardsToMatch(page, await serverTracker(page));

    // This month only: another amount, then skipped.
    await internet.getByRole('button', { name: 'More for Internet' }).click();
    await page.getByRole('menuitem', { name: 'Change this month…' }).click();
    const change = page.getByRole('dialog', { name: 'This month: Internet' });
    await change.getByLabel('Amount this time').fill('75');
    await change.getByLabel('Note').fill('Price went up');
    await change.getByRole('button', { name: 'Save' }).click();
    await expect(change).toBeHidden();
    await dismiss(toast(page, 'Internet: this month is changed.'));
    const changed = row(await serverTracker(page), 'Internet');
    expect(changed.amount_due_cents).toBe(7_500);
    await expect(internet).toContainText(money(changed.amount_due_cents));
    await expect(internet).toContainText(`usually ${money(6_000)}`);
    await expect(internet).toContainText('Price went up');
    await expect(internet).toContainText(`${money(changed.remaining_cents)} left`);
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

  test('a payment on the tracker shows at once on the summary and the calendar', async ({
    page,
    baseURL,
  }) => {
    const account = await newUser(baseURL!, 'refresh');
    const api = await apiAs(baseURL!, account);
    await api.post<Bill>('/api/bills', {
      name: 'Water',
      amount_cents: 4_200,
      cycle: 'monthly',
      due_day: 3,
    });
    await signInAs(page, account);
    const { year, month } = await serverTracker(page);
    const navigation = mainNavigation(page);
    const figures = page.getByRole('table', { name: 'Figures by bucket' });
    const paidFigure = figures.getByRole('row', { name: /^Paid/ }).getByRole('cell').first();
    const the3rd = page
      .getByRole('table', { name: /^Calendar for / })
      .getByRole('button', { name: /, \w+ 3: 1 bill/ });

    // The summary and the calendar are loaded once before the payment.
    await navigation.getByRole('link', { name: 'Summary', exact: true }).click();
    await expect(paidFigure).toHaveText(money(0));
    await navigation.getByRole('link', { name: 'Calendar', exact: true }).click();
    await expect(the3rd).not.toHaveAccessibleName(/paid/);

    await navigation.getByRole('link', { name: 'Home' }).click();
    await occurrence(page, 'Water').getByRole('button', { name: 'Quick pay Water' }).click();
    await dismiss(toast(page, /^Water paid: /));

    // Back on them within a few seconds (well inside the cache's 30 s): the new figures.
    const summary = await serverSummary(page, year, month);
    expect(summary.totals.paid_cents).toBe(4_200);
    await navigation.getByRole('link', { name: 'Summary', exact: true }).click();
    await expect(paidFigure).toHaveText(money(summary.totals.paid_cents));
    await navigation.getByRole('link', { name: 'Calendar', exact: true }).click();
    await expect(the3rd).toHaveAccessibleName(/: 1 bill \(paid\)/);
    await api.dispose();
  });
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the same flow works at 375 pixels, rows as cards', async ({ page, baseURL }, testInfo) => {
    await dailyFlow(page, baseURL!, testInfo, true);
  });
});

test('a payment the server refuses shows at once and then goes back', async ({ page, baseURL }) => {
  const account = await newUser(baseURL!, 'refused');
  const api = await apiAs(baseURL!, account);
  for (const name of ['Rent', 'Phone']) {
    await api.post('/api/bills', { name, amount_cents: 10_000, cycle: 'monthly', due_day: 1 });
  }
  await signInAs(page, account);
  await expect(page.getByTestId('occurrence')).toHaveCount(2);

  // The server takes its time and then refuses: while it thinks the rows already show paid.
  let answer = () => {};
  let refuse = Promise.resolve();
  const holdNextAnswer = () => {
    refuse = new Promise<void>((resolve) => (answer = resolve));
  };
  const held = async (route: Route) => {
    if ((route.request().postDataJSON() as { dry_run?: boolean } | null)?.dry_run) {
      return route.continue();
    }
    await refuse;
    await route.fulfill({
      status: 409,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'CONFLICT', message: 'the bill changed meanwhile' } }),
    });
  };
  await page.route('**/api/payments/bulk', held);
  await page.route('**/quick-pay', held);
  const paidBadges = page.getByRole('button', { name: /remove the payments/ });

  const first = page.getByRole('region', { name: '1st of the month' });
  holdNextAnswer();
  await first.getByRole('button', { name: 'Pay all due' }).click();
  const confirm = page.getByRole('dialog', { name: 'Pay all due: 1st of the month' });
  await confirm.getByRole('button', { name: 'Pay 2 bills' }).click();
  await expect(paidBadges).toHaveCount(2);
  answer();
  await expect(toast(page, 'the bill changed meanwhile')).toBeVisible();
  await expect(paidBadges).toHaveCount(0);
  await dismiss(toast(page, 'the bill changed meanwhile'));
  // The dialog stays open to try again; this time the user lets it be.
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();

  const rent = occurrence(page, 'Rent');
  holdNextAnswer();
  await rent.getByRole('button', { name: 'Quick pay Rent' }).click();
  await expect(rent.getByRole('button', { name: /remove the payments of Rent/ })).toBeVisible();
  answer();
  await expect(toast(page, 'the bill changed meanwhile')).toBeVisible();
  await expect(rent.getByRole('button', { name: 'Quick pay Rent' })).toBeVisible();
  await dismiss(toast(page, 'Rent was not paid'));

  // Nothing reached the server.
  expect((await serverTracker(page)).totals.paid_cents).toBe(0);

  // Rent paid for real; removing its payments shows unpaid at once, and paid again once refused.
  const rentRow = row(await serverTracker(page), 'Rent');
  await api.post(`/api/occurrences/${rentRow.bill_id}/${rentRow.due_date}/quick-pay`, {});
  await page.reload();
  const rentPaid = rent.getByRole('button', { name: /remove the payments of Rent/ });
  await expect(rentPaid).toBeVisible();
  await page.route('**/api/occurrences/*/*/payments', held);
  holdNextAnswer();
  await rentPaid.click();
  const remove = page.getByRole('dialog', { name: 'Remove payments: Rent' });
  await remove.getByRole('button', { name: 'Remove payments' }).click();
  await expect(remove).toBeHidden();
  await expect(rentPaid).toBeHidden();
  await expect(rent.getByRole('button', { name: 'Quick pay Rent' })).toBeVisible();
  answer();
  await expect(toast(page, 'The payments were not removed')).toContainText(
    'The bill changed meanwhile',
  );
  await expect(rentPaid).toBeVisible();
  await expect(rent.getByRole('button', { name: 'Quick pay Rent' })).toBeHidden();
  await dismiss(toast(page, 'The payments were not removed'));
  expect(row(await serverTracker(page), 'Rent').paid_cents).toBe(10_000);

  // Deleting a bill: it leaves the list at once, and comes back once refused.
  await page.route('**/api/bills/*', (route) =>
    route.request().method() === 'DELETE' ? held(route) : route.continue(),
  );
  await mainNavigation(page).getByRole('link', { name: 'Bills', exact: true }).click();
  const list = page.getByRole('table', { name: 'Bills' });
  const phoneLink = list.getByRole('link', { name: 'Phone', exact: true });
  await expect(phoneLink).toBeVisible();
  holdNextAnswer();
  await list.getByRole('button', { name: 'Actions for Phone' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await expect(phoneLink).toBeHidden();
  await expect(list.getByRole('link', { name: 'Rent', exact: true })).toBeVisible();
  answer();
  await expect(toast(page, 'Phone was not deleted')).toContainText('The bill changed meanwhile');
  await expect(phoneLink).toBeVisible();
  const kept = await page.request.get('/api/bills');
  expect(((await kept.json()) as Bill[]).map((bill) => bill.name).sort()).toEqual([
    'Phone',
    'Rent',
  ]);
  await api.dispose();
});

/** Presses Tab (Shift+Tab when `backwards`) until `target` has the focus, at most `limit` times. */
async function tabTo(page: Page, target: Locator, limit = 60, backwards = false) {
  for (let presses = 0; presses < limit; presses++) {
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) {
      return;
    }
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  await expect(target).toBeFocused();
}

test('quick pay, its Undo and the finder work from the keyboard alone', async ({
  page,
  baseURL,
}) => {
  const account = await newUser(baseURL!, 'keyboard');
  const api = await apiAs(baseURL!, account);
  const created: Bill[] = [];
  for (const name of ['Phone', 'Rent']) {
    created.push(
      await api.post<Bill>('/api/bills', {
        name,
        amount_cents: 10_000,
        cycle: 'monthly',
        due_day: 1,
      }),
    );
  }
  await api.dispose();
  await signInAs(page, account);
  const rent = occurrence(page, 'Rent');
  const quickPay = rent.getByRole('button', { name: 'Quick pay Rent' });
  const paidBadge = rent.getByRole('button', { name: /remove the payments of Rent/ });

  // From the top of the page, Tab alone reaches the row's quick pay; Enter pays.
  await page.locator('body').focus();
  await tabTo(page, quickPay);
  await page.keyboard.press('Enter');
  await expect(paidBadge).toBeVisible();
  // The keyboard stays on the row: its Paid badge has the focus, not the top of the page.
  await expect(paidBadge).toBeFocused();
  const paid = toast(page, /^Rent paid: /);
  await expect(paid).toBeVisible();
  expect(row(await serverTracker(page), 'Rent').paid_cents).toBe(10_000);

  // Tab goes on to the toast's Undo; Space undoes, and the focus comes back to the row.
  const undo = paid.getByRole('button', { name: 'Undo' });
  await tabTo(page, undo);
  await page.keyboard.press('Space');
  await expect(toast(page, 'Rent is unpaid again.')).toBeVisible();
  await expect(quickPay).toBeVisible();
  await expect(quickPay).toBeFocused();
  expect(row(await serverTracker(page), 'Rent').paid_cents).toBe(0);

  // Ctrl+K opens the finder; the arrow keys choose a bill and Enter opens it.
  await page.keyboard.press('Control+K');
  const finder = page.getByRole('dialog', { name: 'Find a bill' });
  await expect(finder.getByRole('combobox', { name: 'Bill name' })).toBeFocused();
  await expect(finder.getByRole('option', { name: /Phone/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.keyboard.press('ArrowDown');
  await expect(finder.getByRole('option', { name: /Rent/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.keyboard.press('Enter');
  await expect(finder).toBeHidden();
  const rentBill = created.find((bill) => bill.name === 'Rent')!;
  await expect(page).toHaveURL(new RegExp(`/bills/${rentBill.id}$`));
  await expect(page.getByRole('heading', { name: 'Rent', level: 2 })).toBeVisible();
});

test('an autopay the bank did not make is marked as failed, and Undo puts it back', async ({
  page,
  baseURL,
}) => {
  const account = await newUser(baseURL!, 'autopay');
  const api = await apiAs(baseURL!, account);
  const { today } = await api.get<Tracker>('/api/tracker');
  await api.post<Bill>('/api/bills', {
    name: 'Phone plan',
    amount_cents: 4500,
    cycle: 'monthly',
    due_day: Number(today.slice(8, 10)),
    anchor_date: today,
    autopay: true,
  });
  // The real daily run records the autopay payment that came due today.
  await runDailyRun(
    async () => row(await api.get<Tracker>('/api/tracker'), 'Phone plan').payment_count > 0,
  );
  await api.dispose();

  await signInAs(page, account);
  const phone = occurrence(page, 'Phone plan');
  const marker = phone.getByText('Autopay failed', { exact: true });
  await expect(
    phone.getByRole('button', { name: /remove the payments of Phone plan/ }),
  ).toBeVisible();
  await expect(marker).toBeHidden();

  await phone.getByRole('button', { name: 'More for Phone plan' }).click();
  await page.getByRole('menuitem', { name: 'Autopay failed' }).click();
  const notice = toast(page, 'Phone plan: autopay marked as failed, it is unpaid again.');
  await expect(notice).toBeVisible();
  await expect(marker).toBeVisible();
  await expect(phone.getByRole('button', { name: 'Quick pay Phone plan' })).toBeVisible();
  const failed = await serverTracker(page);
  expect(row(failed, 'Phone plan')).toMatchObject({
    autopay_failed: true,
    payment_count: 0,
    paid_cents: 0,
    remaining_cents: 4500,
    autopay_payment_id: null,
  });
  await expectCardsToMatch(page, failed);

  await notice.getByRole('button', { name: 'Undo' }).click();
  await expect(toast(page, 'Phone plan is paid by autopay again.')).toBeVisible();
  await expect(marker).toBeHidden();
  await expect(phone.getByRole('button', { name: 'Quick pay Phone plan' })).toBeHidden();
  const restored = await serverTracker(page);
  expect(row(restored, 'Phone plan')).toMatchObject({
    autopay_failed: false,
    status: 'paid',
    paid_cents: 4500,
  });
  await expectCardsToMatch(page, restored);
});
