// End-to-end tests: the real billtracker-web (with this app embedded) on a fresh data
// directory, driven by Debian's Chromium. Build the UI, then the server, then run:
//   npm run build && cargo build -p billtracker-web && npm run test:e2e
import { defineConfig } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN } from './e2e/helpers';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const serverBinary =
  process.env.BILLTRACKER_WEB_BIN ?? join(workspaceRoot, 'target/debug/billtracker-web');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 38431);
const baseURL = `http://127.0.0.1:${port}`;

if (!existsSync(serverBinary)) {
  throw new Error(
    `billtracker-web not found at ${serverBinary}: run \`cargo build -p billtracker-web\` ` +
      'after `npm run build`, or set BILLTRACKER_WEB_BIN',
  );
}

export default defineConfig({
  testDir: './e2e',
  workers: 1,
  retries: 0,
  reporter: 'list',
  forbidOnly: !!process.env.CI,
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromium,
      // Chromium must not reach out to Google's services: this machine's network is closed.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: shellQuote(serverBinary),
    cwd: dataDir(),
    env: {
      DATA_DIR: dataDir(),
      PORT: String(port),
      LOG_FORMAT: 'text',
      // The server creates this admin on its first start; the tests sign in with it.
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
    },
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});

/**
 * A fresh, empty data directory for this run, removed when the run ends. Playwright loads
 * this file in the runner and again in each worker; the workers inherit the runner's choice.
 */
function dataDir(): string {
  const inherited = process.env.BILLTRACKER_E2E_DATA_DIR;
  if (inherited) {
    return inherited;
  }

  const dir = mkdtempSync(join(tmpdir(), 'billtracker-e2e-'));
  process.env.BILLTRACKER_E2E_DATA_DIR = dir;
  // The runner exits after it has stopped the server.
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function shellQuote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}
