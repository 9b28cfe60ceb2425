import { expect, type Page, test } from '@playwright/test';
import type { Bill, Category } from '../src/api/types';
import { apiAs, dismiss, money, newUser, signInAs, toast } from './bills-helpers';
import { mainNavigation } from './helpers';
import { docScreenshot, HIDE_TOASTS } from './screenshots';

// Each test walks a whole flow through a debug build of the server: give it time.
test.describe.configure({ timeout: 90_000 });
test.use({ locale: 'en-US', colorScheme: 'light', viewport: { width: 1280, height: 800 } });

function billRow(page: Page, name: string) {
  return page
    .getByRole('table', { name: 'Bills' })
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name, exact: true }) });
}

async function billAction(page: Page, name: string, action: string) {
  await page.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
  await page.getByRole('menuitem', { name: action, exact: true }).click();
}

test('bills: every field in the editor, search, filters, duplicate, deactivate, delete and restore', async ({
  page,
  baseURL,
}, testInfo) => {
  const account = await newUser(baseURL!, 'bills');
  const api = await apiAs(baseURL!, account);
  const insurance = await api.post<Category>('/api/categories', {
    name: 'Insurance',
    color: '#7950f2',
  });
  const housing = await api.post<Category>('/api/categories', {
    name: 'Housing',
    color: '#228be6',
  });
  await api.post('/api/bills', {
    name: 'Rent',
    category_id: housing.id,
    amount_cents: 120_000,
    cycle: 'monthly',
    due_day: 1,
  });
  await api.post('/api/bills', {
    name: 'Streaming',
    amount_cents: 1_599,
    cycle: 'monthly',
    due_day: 20,
  });
  await signInAs(page, account);
  await mainNavigation(page).getByRole('link', { name: 'Bills' }).click();
  await expect(page.getByRole('heading', { name: 'Bills', level: 2 })).toBeVisible();

  // Every field of a bill; the bucket follows the due day until one is picked.
  await page.getByRole('button', { name: 'New bill' }).click();
  const editor = page.getByRole('dialog', { name: 'New bill' });
  await editor.getByRole('textbox', { name: 'Name', exact: true }).fill('Car insurance');
  await editor.getByRole('combobox', { name: 'Category' }).click();
  await page.getByRole('option', { name: 'Insurance', exact: true }).click();
  await editor.getByLabel('Expected amount').fill('600');
  await editor.getByRole('radiogroup', { name: 'Amount is' }).getByText('An estimate').click();
  await editor.getByRole('combobox', { name: 'Comes due' }).click();
  await page.getByRole('option', { name: 'Twice a year' }).click();
  await editor.getByLabel('Due day').fill('15');
  await expect(editor.getByRole('combobox', { name: 'Paid from' })).toHaveValue(
    '15th of the month',
  );
  await editor.getByLabel('First due date').fill('2026-01-15');
  await editor.getByLabel('End date').fill('2030-12-31');
  await editor.getByRole('switch', { name: /Autopay/ }).check();
  await editor.getByLabel('Reminder days').fill('5');
  await editor.getByLabel('Website').fill('https://insurer.example');
  await editor.getByLabel('Account note').fill('Policy 12-345');
  await editor.getByLabel('Notes').fill('Renews every January and July.');
  // The picture shows the top of the form.
  await editor.getByRole('textbox', { name: 'Name', exact: true }).focus();
  await docScreenshot(page, testInfo, 'runbook/docs/user/img/bill-editor.png', {
    style: HIDE_TOASTS,
  });
  await editor.getByRole('button', { name: 'Add bill' }).click();
  await expect(editor).toBeHidden();
  await expect(billRow(page, 'Car insurance')).toContainText('Insurance');

  const saved = (await api.get<Bill[]>('/api/bills')).find((b) => b.name === 'Car insurance')!;
  expect(saved).toMatchObject({
    category_id: insurance.id,
    amount_cents: 60_000,
    amount_kind: 'variable',
    cycle: 'semiannual',
    due_day: 15,
    anchor_date: '2026-01-15',
    end_date: '2030-12-31',
    bucket: 'fifteenth',
    autopay: true,
    reminder_days: 5,
    website: 'https://insurer.example',
    account_note: 'Policy 12-345',
    notes: 'Renews every January and July.',
    active: true,
  });

  // Search and filters, kept in the address.
  await page.getByLabel('Search').fill('insur');
  await expect(page).toHaveURL(/q=insur/);
  await expect(billRow(page, 'Car insurance')).toBeVisible();
  await expect(billRow(page, 'Rent')).toHaveCount(0);
  await page.getByLabel('Search').fill('');
  await page.getByRole('combobox', { name: 'Category' }).click();
  await page.getByRole('option', { name: 'Housing' }).click();
  await expect(billRow(page, 'Rent')).toBeVisible();
  await expect(billRow(page, 'Car insurance')).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`category=${housing.id}`));
  await page.goto('/bills');
  await expect(page.getByRole('table', { name: 'Bills' }).getByRole('row')).toHaveCount(4);

  // Duplicate, deactivate and reactivate.
  await billAction(page, 'Car insurance', 'Duplicate');
  await expect(billRow(page, 'Car insurance (copy)')).toBeVisible();
  await billAction(page, 'Car insurance (copy)', 'Deactivate');
  await expect(billRow(page, 'Car insurance (copy)')).toContainText('Inactive');
  const show = page.getByRole('radiogroup', { name: 'Show' });
  await show.getByText('Active', { exact: true }).click();
  await expect(page).toHaveURL(/active=true/);
  await expect(billRow(page, 'Car insurance (copy)')).toHaveCount(0);
  await show.getByText('Inactive', { exact: true }).click();
  await expect(billRow(page, 'Car insurance (copy)')).toBeVisible();
  await expect(billRow(page, 'Rent')).toHaveCount(0);
  await billAction(page, 'Car insurance (copy)', 'Reactivate');
  await expect(billRow(page, 'Car insurance (copy)')).toHaveCount(0);
  await show.getByText('All', { exact: true }).click();
  await expect(billRow(page, 'Car insurance (copy)')).not.toContainText('Inactive');

  // Delete with Undo, then delete again and restore from "Recently deleted".
  await billAction(page, 'Car insurance (copy)', 'Delete');
  await expect(billRow(page, 'Car insurance (copy)')).toHaveCount(0);
  await toast(page, 'Car insurance (copy) deleted.').getByRole('button', { name: 'Undo' }).click();
  await dismiss(toast(page, 'Car insurance (copy) restored.'));
  await expect(billRow(page, 'Car insurance (copy)')).toBeVisible();

  await billAction(page, 'Car insurance (copy)', 'Delete');
  const deleted = page.getByRole('region', { name: 'Recently deleted bills' });
  await expect(deleted).toContainText('Car insurance (copy)');
  await expect(deleted).toContainText('30 days left to restore');
  await expect(billRow(page, 'Car insurance (copy)')).toHaveCount(0);
  await docScreenshot(page, testInfo, 'runbook/docs/user/img/bills.png', { style: HIDE_TOASTS });
  await deleted.getByRole('button', { name: 'Restore' }).click();
  await expect(billRow(page, 'Car insurance (copy)')).toBeVisible();
  await expect(deleted).toBeHidden();

  // The bill's own page, and an edit from there.
  await page.getByRole('link', { name: 'Car insurance', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Car insurance', level: 2 })).toBeVisible();
  await expect(page.getByText('Twice a year on day 15')).toBeVisible();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Car insurance' });
  await edit.getByLabel('Expected amount').fill('650');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();
  const edited = await api.get<Bill>(`/api/bills/${saved.id}`);
  expect(edited.amount_cents).toBe(65_000);
  await expect(page.getByText(`${money(edited.amount_cents)} (an estimate)`)).toBeVisible();
  await api.dispose();
});

test('Ctrl+K finds a bill from anywhere, and payment history loads more', async ({
  page,
  baseURL,
}) => {
  const account = await newUser(baseURL!, 'history');
  const api = await apiAs(baseURL!, account);
  const gym = await api.post<Bill>('/api/bills', {
    name: 'Gym',
    amount_cents: 3_000,
    cycle: 'monthly',
    due_day: 1,
  });
  for (const [name, cents] of [
    ['Water', 4_000],
    ['Water softener', 1_500],
  ] as const) {
    await api.post('/api/bills', { name, amount_cents: cents, cycle: 'monthly', due_day: 9 });
  }
  const softener = (await api.get<Bill[]>('/api/bills')).find((b) => b.name === 'Water softener')!;
  for (let i = 1; i <= 25; i += 1) {
    await api.post('/api/payments', {
      bill_id: gym.id,
      due_date: gym.anchor_date,
      amount_cents: 100 * i,
      method: 'card',
    });
  }
  await signInAs(page, account);
  await expect(page.getByTestId('occurrence')).toHaveCount(3);

  // From another page, with the keyboard only: open, type, choose the second match, open it.
  await mainNavigation(page).getByRole('link', { name: 'Categories' }).click();
  await expect(page.getByRole('heading', { name: 'Categories', level: 2 })).toBeVisible();
  await page.keyboard.press('Control+K');
  const finder = page.getByRole('dialog', { name: 'Find a bill' });
  await expect(finder.getByRole('combobox', { name: 'Bill name' })).toBeFocused();
  await page.keyboard.type('wat');
  const options = finder.getByRole('option');
  await expect(options).toHaveText([/^Water\b(?! softener)/, /^Water softener/]);
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(options.nth(1)).toContainText(money(softener.amount_cents));
  await page.keyboard.press('Enter');
  await expect(finder).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`/bills/${softener.id}$`));
  await expect(page.getByRole('heading', { name: 'Water softener', level: 2 })).toBeVisible();

  await page.keyboard.press('Control+K');
  // The dialog focuses its field a moment after it opens, as a person sees it do.
  await expect(finder.getByRole('combobox', { name: 'Bill name' })).toBeFocused();
  await page.keyboard.type('gy');
  await expect(options).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/bills/${gym.id}$`));
  await expect(page.getByRole('heading', { name: 'Gym', level: 2 })).toBeVisible();

  const payments = page.getByRole('table', { name: 'Payments' }).getByRole('row');
  await expect(payments).toHaveCount(21);
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(payments).toHaveCount(26);
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
  await api.dispose();
});

test('categories: create, rename and recolour, delete with Undo, restore', async ({
  page,
  baseURL,
}, testInfo) => {
  const account = await newUser(baseURL!, 'categories');
  const api = await apiAs(baseURL!, account);
  const housing = await api.post<Category>('/api/categories', {
    name: 'Housing',
    color: '#228be6',
  });
  await api.post<Category>('/api/categories', {
    name: 'Savings',
    color: '#40c057',
    counts_toward_spending: false,
  });
  for (const name of ['Rent', 'Home insurance']) {
    await api.post('/api/bills', {
      name,
      category_id: housing.id,
      amount_cents: 10_000,
      cycle: 'monthly',
      due_day: 3,
    });
  }
  await signInAs(page, account);
  await page.goto('/categories');
  const table = page.getByRole('table', { name: 'Categories' });
  const row = (name: string) => table.getByRole('row').filter({ hasText: name });
  await expect(row('Housing')).toContainText('2 bills');
  await expect(row('Savings')).toContainText('Not spending');

  await page.getByRole('button', { name: 'New category' }).click();
  const create = page.getByRole('dialog', { name: 'New category' });
  await create.getByLabel('Name').fill('Utilities');
  await create.getByRole('button', { name: 'Icon ⚡' }).click();
  await expect(create.getByLabel('Icon', { exact: true })).toHaveValue('⚡');
  await create.getByLabel('Colour').fill('#12b886');
  await create.getByRole('button', { name: 'Create category' }).click();
  await expect(create).toBeHidden();
  await expect(row('Utilities')).toContainText('none');
  await expect(row('Utilities')).toContainText('⚡');

  // A name already in use is refused under the name field.
  await page.getByRole('button', { name: 'New category' }).click();
  await create.getByLabel('Name').fill('housing');
  await create.getByRole('button', { name: 'Create category' }).click();
  await expect(create.getByText(/already have a category named/)).toBeVisible();
  await create.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Actions for Utilities' }).click();
  await page.getByRole('menuitem', { name: 'Rename or recolour' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Utilities' });
  await edit.getByLabel('Name').fill('Power and water');
  await edit.getByLabel('Colour').fill('#fd7e14');
  await expect(edit.getByRole('button', { name: 'Icon ⚡' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await edit.getByLabel('Icon', { exact: true }).fill('💡');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();
  await expect(row('Power and water')).toBeVisible();
  const renamed = (await api.get<Category[]>('/api/categories')).find(
    (c) => c.name === 'Power and water',
  );
  expect(renamed?.color).toBe('#fd7e14');
  expect(renamed?.icon).toBe('💡');
  await docScreenshot(page, testInfo, 'runbook/docs/user/img/categories.png', {
    style: HIDE_TOASTS,
  });

  await page.getByRole('button', { name: 'Actions for Power and water' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await expect(row('Power and water')).toHaveCount(0);
  await toast(page, 'Category Power and water deleted.')
    .getByRole('button', { name: 'Undo' })
    .click();
  await dismiss(toast(page, 'Category Power and water restored.'));
  await expect(row('Power and water')).toBeVisible();

  await page.getByRole('button', { name: 'Actions for Power and water' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const deleted = page.getByRole('region', { name: 'Recently deleted categories' });
  await expect(deleted).toContainText('Power and water');
  await expect(deleted).toContainText('30 days left to restore');
  await deleted.getByRole('button', { name: 'Restore' }).click();
  await expect(row('Power and water')).toBeVisible();
  await expect(deleted).toBeHidden();
  await api.dispose();
});
