// A billtracker-web of a test's own, for settings the run's server (started by
// playwright.config.ts for every test) does not have, such as another CURRENCY. It runs on its
// own empty data directory and port, with the same admin, and stops when the test is done.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN } from './helpers';

const workspaceRoot = resolve(import.meta.dirname, '../../../..');

/** The server binary every e2e test runs: it must embed the current build of the app. */
export const serverBinary =
  process.env.BILLTRACKER_WEB_BIN ?? join(workspaceRoot, 'target/debug/billtracker-web');

export interface OwnServer {
  baseURL: string;
  stop: () => Promise<void>;
}

/** Starts the server on `port` with `env` on top of the run's settings; resolves once healthy. */
export async function startServer(port: number, env: Record<string, string>): Promise<OwnServer> {
  const dir = mkdtempSync(join(tmpdir(), 'billtracker-e2e-own-'));
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn(serverBinary, [], {
    cwd: dir,
    env: {
      ...process.env,
      DATA_DIR: dir,
      PORT: String(port),
      LOG_FORMAT: 'text',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`billtracker-web exited with ${child.exitCode} at start:\n${log}`);
    }
    try {
      if ((await fetch(`${baseURL}/api/health`)).ok) {
        return { baseURL, stop };
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`billtracker-web did not answer on ${baseURL} within 30 s:\n${log}`);
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
}

/** The janitor binary, which runs the daily run (autopay among its steps). */
export const janitorBinary =
  process.env.BILLTRACKER_JANITOR_BIN ?? join(workspaceRoot, 'target/debug/billtracker-janitor');

/**
 * Starts a real janitor on the run's data directory, beside the run's server, as an operator
 * runs the four processes on one `DATA_DIR`. It queues the daily run at start; this waits until
 * `done` says what the run should have done is there, then stops the janitor.
 */
export async function runDailyRun(done: () => Promise<boolean>): Promise<void> {
  const runDir = process.env.BILLTRACKER_E2E_RUN_DIR;
  if (!runDir) {
    throw new Error(
      'BILLTRACKER_E2E_RUN_DIR is not set: run the tests through playwright.config.ts',
    );
  }
  const dataDir = join(runDir, 'data');
  const child = spawn(janitorBinary, [], {
    cwd: dataDir,
    env: { ...process.env, DATA_DIR: dataDir, LOG_FORMAT: 'text' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 30_000;
    while (!(await done())) {
      if (child.exitCode !== null) {
        throw new Error(`billtracker-janitor exited with ${child.exitCode}:\n${log}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`the daily run did not finish within 30 s:\n${log}`);
      }
      await new Promise((wait) => setTimeout(wait, 200));
    }
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  }
}
