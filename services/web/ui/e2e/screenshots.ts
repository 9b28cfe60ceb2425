import type { Page, TestInfo } from '@playwright/test';
import { resolve } from 'node:path';

const repositoryRoot = resolve(import.meta.dirname, '../../../..');

/** Toasts cover part of the page and come and go: pictures of the guides can leave them out. */
export const HIDE_TOASTS = '.mantine-Notifications-root { display: none !important; }';

/**
 * A screenshot for the user and admin guides. Every run takes it (into the test's output
 * folder), so a page that can no longer be shown fails here too; with
 * `UPDATE_DOC_SCREENSHOTS=1` it replaces the image in the docs, at `path` relative to the
 * repository root (e.g. `runbook/docs/user/img/summary.png`). `style` is CSS applied while the
 * picture is taken, such as `HIDE_TOASTS`.
 */
export async function docScreenshot(
  page: Page,
  testInfo: TestInfo,
  path: string,
  { style }: { style?: string } = {},
) {
  const target = process.env.UPDATE_DOC_SCREENSHOTS
    ? resolve(repositoryRoot, path)
    : testInfo.outputPath(path.replaceAll('/', '-'));
  // No tooltip under a resting mouse, no blinking caret, no half-finished transition.
  await page.mouse.move(0, 0);
  await page.screenshot({
    path: target,
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
    style,
  });
}
