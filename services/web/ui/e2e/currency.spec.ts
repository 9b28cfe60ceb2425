import { expect, test } from '@playwright/test';
import type { Bill, Tracker } from '../src/api/types';
import { apiAs } from './bills-helpers';
import { ADMIN, signIn } from './helpers';
import { type OwnServer, startServer } from './server';

// The run's server has the default currency (USD). Here servers of their own run with other
// currencies: one with cents (EUR), one without minor units (JPY). The app must write every
// amount in the currency the server names, and read typed amounts in its minor units.
const ownPort = Number(process.env.E2E_PORT ?? 38431) + 2;

for (const [index, currency] of ['EUR', 'JPY'].entries()) {
  test.describe(`an instance in ${currency}`, () => {
    const port = ownPort + index;
    let server: OwnServer | undefined;
    test.use({ baseURL: `http://127.0.0.1:${port}`, locale: 'en-US' });
    test.beforeAll(async () => {
      server = await startServer(port, { CURRENCY: currency });
    });
    test.afterAll(async () => {
      await server?.stop();
    });

    test(`amounts are written and read in ${currency}`, async ({ page, baseURL }) => {
      const about = (await (await page.request.get('/api/about')).json()) as { currency: string };
      expect(about.currency).toBe(currency);
      // What an en-US reader expects for this currency, from the browser's own rules.
      const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
      const minorUnits = 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2);
      const symbol = format.formatToParts(0).find((part) => part.type === 'currency')!.value;
      const money = (minor: number) => format.format(minor / minorUnits);

      await signIn(page, ADMIN);
      await page.getByRole('button', { name: 'Add a bill' }).click();
      const editor = page.getByRole('dialog', { name: 'New bill' });
      await editor.getByRole('textbox', { name: 'Name', exact: true }).fill('Rent');
      const amount = editor.getByLabel('Expected amount');
      await expect(editor.getByText(symbol, { exact: true })).toBeVisible();
      await amount.fill('1234');
      await editor.getByLabel('Due day').fill('1');
      await editor.getByRole('button', { name: 'Add bill' }).click();
      await expect(editor).toBeHidden();

      // The typed amount reached the server in the currency's minor units.
      const api = await apiAs(baseURL!, ADMIN);
      const [rent] = await api.get<Bill[]>('/api/bills');
      expect(rent.amount_cents).toBe(1234 * minorUnits);
      const tracker = await api.get<Tracker>('/api/tracker');
      await api.dispose();

      const due = page.getByRole('group', { name: 'Due this month' }).getByTestId('total-value');
      await expect(due).toHaveText(money(tracker.totals.due_cents));
      await expect(page.getByTestId('occurrence').filter({ hasText: 'Rent' })).toContainText(
        money(rent.amount_cents),
      );

      await page.goto('/about');
      await expect(page.getByTestId('about-currency')).toHaveText(currency);
    });
  });
}
