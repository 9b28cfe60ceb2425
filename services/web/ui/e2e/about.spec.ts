import { expect, type Page, test } from '@playwright/test';
import { horizontalOverflow, mainNavigation, signIn } from './helpers';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Fails the test on any script error or console error, such as a CSP violation. */
function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      errors.push(message.text());
    }
  });
  return errors;
}

test('home page shows the shell and About shows the server version and currency', async ({
  page,
  request,
}) => {
  await signIn(page);
  // From here on: the sign-in page's own 401 from /api/auth/me is expected and not counted.
  const errors = watchForErrors(page);

  await expect(page.getByRole('heading', { level: 1, name: 'BillTracker' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
  await expect(page.getByText("keeps your household's recurring bills")).toBeVisible();

  await mainNavigation(page).getByRole('link', { name: 'About' }).click();
  await expect(page).toHaveURL(/\/about$/);

  const response = await request.get('/api/about');
  expect(response.ok()).toBe(true);
  const about = (await response.json()) as { version: string; currency: string };
  expect(about.version).toMatch(SEMVER);
  await expect(page.getByTestId('about-version')).toHaveText(about.version);
  await expect(page.getByTestId('about-currency')).toHaveText(about.currency);

  expect(errors).toEqual([]);
});

test('About offers to try again when the server cannot be reached', async ({ page }) => {
  await page.route('**/api/about', (route) => route.abort('connectionrefused'));
  await page.goto('/about');

  const alert = page.getByRole('alert').filter({ hasText: 'Could not reach the server' });
  // The query retries twice with backoff before it gives up.
  await expect(alert).toBeVisible({ timeout: 15_000 });

  await page.unroute('**/api/about');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('about-version')).toHaveText(SEMVER);
});

test('About is public: visitors see the version and a way to sign in', async ({ page }) => {
  await page.goto('/about');

  await expect(page.getByTestId('about-version')).toHaveText(SEMVER);
  const navigation = mainNavigation(page);
  await expect(navigation.getByRole('link', { name: 'About' })).toBeVisible();
  await expect(navigation.getByRole('link', { name: 'Home' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fabout$/);
});

test('the color scheme toggle switches light and dark and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/about');
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'light');

  await page.getByRole('button', { name: /^Color scheme/ }).click();
  await page.getByRole('menuitem', { name: 'Dark' }).click();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'dark');

  await page.reload();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'dark');

  await page.getByRole('button', { name: /^Color scheme/ }).click();
  await page.getByRole('menuitem', { name: 'Auto' }).click();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveAttribute('data-mantine-color-scheme', 'dark');
});

test('an unknown address shows a friendly page with a way home', async ({ page }) => {
  await signIn(page);
  await page.goto('/no-such-page');

  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the home page' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome to BillTracker' })).toBeVisible();
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the burger opens the navigation and leads to About', async ({ page }) => {
    await signIn(page);
    const navigation = mainNavigation(page);
    const aboutLink = navigation.getByRole('link', { name: 'About' });
    // On a phone the collapsed navbar slides out of the screen rather than disappearing.
    await expect(aboutLink).not.toBeInViewport();

    await page.getByRole('button', { name: 'Open navigation' }).click();
    await aboutLink.click();

    await expect(page.getByTestId('about-version')).toHaveText(SEMVER);
    await expect(aboutLink).not.toBeInViewport();
    expect(await horizontalOverflow(page)).toBe(0);
  });
});
