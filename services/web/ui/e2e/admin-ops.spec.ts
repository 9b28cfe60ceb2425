import { expect, type Page, test } from '@playwright/test';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, horizontalOverflow, mainNavigation, submitSignIn } from './helpers';
import { docScreenshot } from './screenshots';

test.use({ locale: 'en-US' });

async function signInAsAdmin(page: Page) {
  await page.goto('/login');
  await submitSignIn(page, ADMIN);
  await expect(page).not.toHaveURL(/\/login/);
}

async function openAdminPage(page: Page, name: string) {
  await mainNavigation(page)
    .getByRole('group', { name: 'Admin' })
    .getByRole('link', { name, exact: true })
    .click();
  await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible();
}

/** The data directory of the server under test (see playwright.config.ts). */
function dataDir(): string {
  const runDir = process.env.BILLTRACKER_E2E_RUN_DIR;
  if (!runDir) {
    throw new Error(
      'BILLTRACKER_E2E_RUN_DIR is not set: run the tests through playwright.config.ts',
    );
  }
  return join(runDir, 'data');
}

interface Backup {
  id: string;
  kind: string;
  size_bytes: number;
  sha256: string | null;
  verified: boolean;
}

test('Status shows every service and refreshes by itself', async ({ page }, testInfo) => {
  await signInAsAdmin(page);
  await openAdminPage(page, 'Status');

  // Only the web process runs during these tests: the three workers are down, and Status says so.
  const services = page.getByRole('table', { name: 'Services' });
  const row = (name: string) => services.getByRole('row', { name: new RegExp(`^${name}\\b`) });
  await expect(row('Web')).toContainText('Up');
  for (const worker of ['Sync worker', 'Notifier', 'Janitor']) {
    await expect(row(worker)).toContainText('Down');
  }
  await expect(services.locator('tbody tr')).toHaveCount(4);

  const database = page.getByRole('region', { name: 'Database' });
  await expect(database.getByRole('row', { name: /Reachable/ })).toContainText('Yes');
  for (const area of ['Application', 'Statistics', 'Daily run', 'Backups', 'Cleanup', 'Queues']) {
    await expect(page.getByRole('region', { name: area })).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'Bank sync' })).toContainText('Not configured');
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Not configured');
  await expect(page.getByRole('region', { name: 'Recent errors' })).toBeVisible();
  await docScreenshot(page, testInfo, 'runbook/docs/admin/img/status.png');

  // Without a click, the page asks again within about 10 seconds and says when it did.
  const refreshed = page.getByText(/^Last refreshed /);
  const before = await refreshed.textContent();
  const next = await page.waitForResponse(
    (response) => new URL(response.url()).pathname === '/api/admin/status',
    { timeout: 15_000 },
  );
  expect(next.status()).toBe(200);
  await expect(refreshed).not.toHaveText(before ?? '', { timeout: 5_000 });

  await page.setViewportSize({ width: 375, height: 800 });
  await expect(services).toBeVisible();
  await expect.poll(() => horizontalOverflow(page)).toBe(0);
});

test('a backup is created, downloaded and restored, leaving a pre-restore backup', async ({
  page,
}, testInfo) => {
  await signInAsAdmin(page);
  await openAdminPage(page, 'Backups');

  await page.getByRole('button', { name: 'Create backup' }).click();
  const created = page.getByRole('table', { name: 'The new backup' });
  await expect(created).toBeVisible({ timeout: 30_000 });
  const id = (await created
    .getByRole('row', { name: /Backup id/ })
    .locator('code')
    .textContent())!;
  expect(id).toMatch(/^bills-\d{8}T\d{6}Z-manual\.db$/);

  const listed = (await (await page.request.get('/api/admin/backups')).json()) as Backup[];
  const backup = listed.find((b) => b.id === id)!;
  expect(backup.verified).toBe(true);
  expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
  await expect(created).toContainText(backup.sha256!);
  await expect(created.getByRole('row', { name: /Size/ })).toContainText(/\d+(\.\d)? (KiB|MiB)/);

  // The new backup's row: size, checksum that matches, and a download link.
  const row = page.getByRole('table', { name: 'Backups' }).getByRole('row', { name: id });
  await expect(row).toContainText(backup.sha256!.slice(0, 12));
  await expect(row).toContainText('Matches');
  const download = row.getByRole('link', { name: `Download ${id}` });
  await expect(download).toHaveAttribute('download', id);
  const file = await page.request.get((await download.getAttribute('href'))!);
  expect(file.status()).toBe(200);
  const bytes = await file.body();
  expect(bytes.length).toBe(backup.size_bytes);
  expect(bytes.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
  await docScreenshot(page, testInfo, 'runbook/docs/admin/img/backups.png');

  // Restore: the dialog says what is replaced and by what, and asks for a confirmation.
  await row.getByRole('button', { name: `Restore ${id}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore a backup' });
  const replaced = dialog.getByRole('group', { name: 'What is replaced' });
  await expect(replaced.getByText('Users')).toBeVisible();
  await expect(replaced.getByText('Active bills')).toBeVisible();
  await expect(dialog.getByRole('group', { name: 'What replaces it' })).toContainText(id);
  const restore = dialog.getByRole('button', { name: 'Restore backup' });
  await expect(restore).toBeDisabled();
  await dialog.getByLabel('I want to replace the live database with this backup').check();
  await docScreenshot(page, testInfo, 'runbook/docs/admin/img/backup-restore.png');
  await restore.click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });

  // The id of the pre-restore backup, shown to note down, and listed.
  const preRestore = page.getByRole('group', { name: 'Pre-restore backup id' });
  await expect(preRestore).toBeVisible();
  const preRestoreId = (await preRestore.locator('code').textContent())!;
  expect(preRestoreId).toMatch(/^bills-\d{8}T\d{6}Z-pre-restore\.db$/);
  const preRestoreRow = page
    .getByRole('table', { name: 'Backups' })
    .getByRole('row', { name: preRestoreId });
  await expect(preRestoreRow).toContainText('Pre-restore');
  await docScreenshot(page, testInfo, 'runbook/docs/admin/img/backup-restored.png');

  // The admin is still signed in: the session was in the restored data.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Backups', level: 2 })).toBeVisible();

  // A file that is not a backup is refused with the server's reason, and nothing is kept.
  const before = ((await (await page.request.get('/api/admin/backups')).json()) as Backup[]).length;
  await page.locator('input[type="file"]').setInputFiles({
    name: 'notes.db',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('these are not the tables you are looking for'),
  });
  const refused = page.getByRole('alert').filter({ hasText: 'The file was refused' });
  await expect(refused).toBeVisible();
  await expect(refused).toContainText('The file is not a SQLite database');
  const after = ((await (await page.request.get('/api/admin/backups')).json()) as Backup[]).length;
  expect(after).toBe(before);

  // The downloaded backup itself is accepted back as an upload.
  await page.locator('input[type="file"]').setInputFiles({
    name: id,
    mimeType: 'application/vnd.sqlite3',
    buffer: bytes,
  });
  await expect(page.getByRole('table', { name: 'The new backup' })).toBeVisible();
  await expect(page.getByText('Backup uploaded')).toBeVisible();

  await page.setViewportSize({ width: 375, height: 800 });
  await expect.poll(() => horizontalOverflow(page)).toBe(0);
});

test('cleanup previews what it would remove, asks, and reports what it removed', async ({
  page,
}, testInfo) => {
  // Leftovers as a crash and an old export would leave them, with old modification times.
  const data = dataDir();
  const partial = join(data, 'backups', 'bills-20200101T000000Z-manual.db.partial');
  const exportFile = join(data, 'exports', 'old-export.csv');
  mkdirSync(join(data, 'exports'), { recursive: true });
  writeFileSync(partial, Buffer.alloc(4096));
  writeFileSync(exportFile, 'name,amount\nRent,400.00\n');
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  utimesSync(partial, twoDaysAgo, twoDaysAgo);
  utimesSync(exportFile, twoDaysAgo, twoDaysAgo);

  await signInAsAdmin(page);
  await openAdminPage(page, 'Cleanup');
  const tasks = page.getByRole('table', { name: 'Cleanup tasks' });
  const partialRow = tasks.getByRole('row', { name: /Unfinished backup files/ });
  const exportRow = tasks.getByRole('row', { name: /Temporary exports/ });
  await expect(partialRow).toContainText('1 (4.0 KiB)');
  await expect(exportRow).toContainText(/1 \(\d+ bytes\)/);
  await expect(tasks.locator('tbody tr')).toHaveCount(6);
  await docScreenshot(page, testInfo, 'runbook/docs/admin/img/cleanup.png');

  const run = page.getByRole('button', { name: /^Run/ });
  await expect(run).toBeDisabled();
  await partialRow.getByRole('checkbox').check();
  await exportRow.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Run 2 tasks' }).click();

  const dialog = page.getByRole('dialog', { name: 'Run cleanup' });
  await expect(dialog.getByRole('table', { name: 'Chosen tasks' }).locator('tr')).toHaveCount(2);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(dialog).toBeHidden();

  const removed = page.getByRole('table', { name: 'Removed' });
  await expect(removed.getByRole('row', { name: /Unfinished backup files/ })).toContainText(
    '1 (4.0 KiB) removed',
  );
  await expect(removed.getByRole('row', { name: /Temporary exports/ })).toContainText('removed');
  expect(existsSync(partial)).toBe(false);
  expect(existsSync(exportFile)).toBe(false);
  await expect(partialRow).toContainText(/0$/);

  // Status shows the run.
  await openAdminPage(page, 'Status');
  await expect(page.getByRole('region', { name: 'Cleanup' })).toContainText('manual');
});
