// End-to-end tests: the real billtracker-web (with this app embedded) on a fresh data
// directory, driven by Debian's Chromium, with single sign-on through a real OpenID provider
// (the certified oidc-provider package in integration-tests/oidc-provider). Build the UI, then
// the server, then run:
//   npm run build && cargo build -p billtracker-web -p billtracker-janitor && npm run test:e2e
import { defineConfig } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN, SSO } from './e2e/helpers';
import { serverBinary } from './e2e/server';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 38431);
const baseURL = `http://127.0.0.1:${port}`;
const providerDir = join(workspaceRoot, 'integration-tests/oidc-provider');
const providerPort = Number(process.env.E2E_OIDC_PORT ?? 38432);
const issuer = `http://127.0.0.1:${providerPort}`;

if (!existsSync(serverBinary)) {
  throw new Error(
    `billtracker-web not found at ${serverBinary}: run \`cargo build -p billtracker-web\` ` +
      'after `npm run build`, or set BILLTRACKER_WEB_BIN',
  );
}
if (!existsSync(join(providerDir, 'node_modules/oidc-provider/package.json'))) {
  throw new Error(
    'the npm packages of the test OpenID provider are missing: ' +
      'run `npm ci` in integration-tests/oidc-provider',
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
  webServer: [
    {
      command: 'node provider.mjs',
      cwd: providerDir,
      env: {
        PORT: String(providerPort),
        CLIENT_ID: SSO.clientId,
        CLIENT_SECRET: SSO.clientSecret,
        REDIRECT_URIS: `${baseURL}/api/auth/oidc/callback`,
        ACCOUNTS_FILE: ssoAccountsFile(),
      },
      url: `${issuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: shellQuote(serverBinary),
      cwd: dataDir(),
      env: {
        DATA_DIR: dataDir(),
        PORT: String(port),
        LOG_FORMAT: 'text',
        // The server creates this admin on its first start; the tests sign in with it.
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        // Single sign-on is on from the environment, as an operator would set it up.
        OIDC_ENABLED: 'true',
        OIDC_PROVIDER_NAME: SSO.providerName,
        OIDC_ISSUER_URL: issuer,
        OIDC_CLIENT_ID: SSO.clientId,
        OIDC_CLIENT_SECRET: SSO.clientSecret,
        OIDC_REDIRECT_URI: `${baseURL}/api/auth/oidc/callback`,
        OIDC_ADMIN_GROUP: SSO.adminGroup,
        OIDC_AUTO_PROVISION: 'true',
      },
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 30_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
  ],
});

/**
 * A fresh directory for this run, removed when the run ends: the server's empty data directory
 * and the provider's accounts file. Playwright loads this file in the runner and again in each
 * worker; the workers inherit the runner's choice.
 */
function runDir(): string {
  const inherited = process.env.BILLTRACKER_E2E_RUN_DIR;
  if (inherited) {
    return inherited;
  }

  const dir = mkdtempSync(join(tmpdir(), 'billtracker-e2e-'));
  mkdirSync(join(dir, 'data'));
  // Tests add the accounts they sign in with; the provider reads the file at every lookup.
  writeFileSync(join(dir, 'oidc-accounts.json'), '{}');
  process.env.BILLTRACKER_E2E_RUN_DIR = dir;
  // The runner exits after it has stopped the servers.
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function dataDir(): string {
  return join(runDir(), 'data');
}

function ssoAccountsFile(): string {
  return join(runDir(), 'oidc-accounts.json');
}

function shellQuote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}
