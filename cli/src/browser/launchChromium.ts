import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Chromium is looked for when `CHROME_PATH` is not set (Debian's package first). */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
];

/**
 * Flags for a headless Chromium on a locked-down machine. As root it needs `--no-sandbox`; without
 * the background-networking flags it keeps trying (and failing) to reach Google's services.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--remote-debugging-port=0',
];

/** Chromium could not be found or started; the message says what to do. */
export class ChromiumLaunchError extends Error {
  override readonly name = 'ChromiumLaunchError';
}

/** A running headless Chromium that this process started and must stop. */
export interface LaunchedChromium {
  /** DevTools port on 127.0.0.1. */
  readonly port: number;
  /** The browser-level DevTools WebSocket URL. */
  readonly browserWSEndpoint: string;
  /** Process id of the browser (leader of its own process group). */
  readonly pid: number;
  readonly executablePath: string;
  /** Resolves when the browser process has exited (by itself or by `close()`). */
  readonly exited: Promise<void>;
  /** Stops the browser and its helper processes, and removes its profile. Idempotent. */
  close(): Promise<void>;
  /**
   * Kills the browser's process group at once (SIGKILL), synchronously: for exit paths where
   * `close()` cannot be awaited (a signal handler, `process.on('exit')`). Leaves the profile behind.
   */
  killNow(): void;
}

/** `CHROME_PATH` if set, else the first existing {@link CHROMIUM_CANDIDATES}, else null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.CHROME_PATH;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : null;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole group: browser, zygote, renderers
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Starts a headless Chromium with a fresh profile and a free DevTools port (read from
 * `DevToolsActivePort`), and returns once it accepts connections.
 *
 * @example
 * ```ts
 * const chromium = await launchChromium();
 * try { const client = await CDP({ port: chromium.port }); ... } finally { await chromium.close(); }
 * ```
 */
export async function launchChromium(options: { executablePath?: string; args?: readonly string[]; timeoutMs?: number } = {}): Promise<LaunchedChromium> {
  const executablePath = options.executablePath ?? findChromium();
  if (executablePath === null) {
    throw new ChromiumLaunchError(
      process.env.CHROME_PATH
        ? `CHROME_PATH=${process.env.CHROME_PATH} does not exist`
        : 'no Chromium found: install it (apt-get install -y chromium) or set CHROME_PATH to a Chrome/Chromium binary',
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'cdp-release-chromium-'));
  const child = spawn(executablePath, [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, ...(options.args ?? []), 'about:blank'], {
    detached: true, // own process group, so close() can stop every helper process by the group id
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  // Written by the child's event handlers; an object so the launch loop re-reads it each time.
  const state: { exited: boolean; error: Error | null } = { exited: false, error: null };
  void exited.then(() => (state.exited = true));
  child.once('error', (e) => (state.error = e));

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (!state.exited) {
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      killGroup(child, 'SIGKILL'); // helpers that outlived the browser
      rmSync(userDataDir, { recursive: true, force: true });
    })();
    return closing;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const portFile = join(userDataDir, 'DevToolsActivePort');
  for (;;) {
    if (state.error !== null || state.exited) {
      await close();
      const reason = state.error !== null ? state.error.message : `exited early: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      throw new ChromiumLaunchError(`could not start ${executablePath}: ${reason}`);
    }
    if (existsSync(portFile)) {
      const [portLine, pathLine] = readFileSync(portFile, 'utf8').split('\n');
      const port = Number(portLine);
      if (Number.isInteger(port) && port > 0 && pathLine) {
        return { port, browserWSEndpoint: `ws://127.0.0.1:${port}${pathLine}`, pid: child.pid as number, executablePath, exited, close, killNow: () => killGroup(child, 'SIGKILL') };
      }
    }
    if (Date.now() > deadline) {
      await close();
      throw new ChromiumLaunchError(`${executablePath} did not open its DevTools port within ${options.timeoutMs ?? 30_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
