import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

/** Where Chromium is looked for when `CHROME_PATH` is not set (Debian's package first). */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
];

/**
 * Flags for a headless Chromium on a locked-down machine, on top of puppeteer-core's own. Without the
 * background-networking flags it keeps trying (and failing) to reach Google's services. `--no-sandbox`
 * is added only when running as root ({@link sandboxFlags}), where Chromium refuses to start without it.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
];

/** `['--no-sandbox']` for root (Chromium's sandbox cannot run as root), none for anyone else. */
export function sandboxFlags(uid: number | null = process.getuid?.() ?? null): string[] {
  return uid === 0 ? ['--no-sandbox'] : [];
}

/**
 * The browser's watchdog: a tiny `sh` in a session of its own, holding the read end of a pipe from
 * this process. When this process ends in any way — including SIGKILL, which runs no handler — the
 * pipe closes, `read` returns, and it kills the browser's process group and removes its profile. A
 * normal `close()` writes `done` first, and the watchdog leaves the (already stopped) browser alone.
 * (`--remote-debugging-pipe` does not tie the browser's life to ours: measured with Chromium 156,
 * the browser was still running 3 s after its launcher was SIGKILLed.)
 */
const WATCHDOG = 'read line; if [ "$line" != done ]; then kill -s KILL -- "-$1" 2>/dev/null; sleep 0.5; rm -rf -- "$2"; fi';

function startWatchdog(browserPid: number, userDataDir: string): { stand(): void } {
  const dog = spawn('/bin/sh', ['-c', WATCHDOG, 'cdp-release-watchdog', String(browserPid), userDataDir], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  dog.on('error', () => undefined); // no sh: the exit handlers still kill the browser on every other way out
  dog.stdin.on('error', () => undefined);
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void }).unref?.();
  return {
    stand: () => {
      dog.stdin.end('done\n');
    },
  };
}

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

/**
 * Starts a headless Chromium with puppeteer-core's launcher (a free DevTools port, its process in a
 * group of its own) and a fresh profile under `TMPDIR`, and returns once it accepts connections. The
 * demo and the benchmark talk to it over their own connections (chrome-remote-interface, or
 * puppeteer-core's `connect`); puppeteer's own connection stays open only to close the browser.
 *
 * @example
 * ```ts
 * const chromium = await launchChromium();
 * try { const client = await CDP({ target: chromium.browserWSEndpoint }); ... } finally { await chromium.close(); }
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
  // Our own profile folder, so the browser is recognisable by it and nothing of it outlives close().
  const userDataDir = mkdtempSync(join(tmpdir(), 'cdp-release-chromium-'));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      args: [...sandboxFlags(), ...CHROMIUM_FLAGS, ...(options.args ?? [])],
      userDataDir,
      timeout: options.timeoutMs ?? 30_000,
      // The command decides what a signal means (Ctrl-C flushes first); exitPaths.ts kills the group.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new ChromiumLaunchError(`could not start ${executablePath}: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}`);
  }
  const child = browser.process();
  const pid = child?.pid;
  if (child === null || pid === undefined) throw new ChromiumLaunchError(`could not start ${executablePath}: no browser process`);
  const watchdog = startWatchdog(pid, userDataDir);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const killNow = (): void => {
    try {
      process.kill(-pid, 'SIGKILL'); // the whole group: browser, zygote, renderers
    } catch {
      // already gone
    }
  };
  let closing: Promise<void> | null = null;
  const browserWSEndpoint = browser.wsEndpoint();
  return {
    port: Number(new URL(browserWSEndpoint).port),
    browserWSEndpoint,
    pid,
    executablePath,
    exited,
    close: () => (closing ??= (async () => {
      const timer = setTimeout(killNow, 3_000); // a browser that does not close in time is killed
      await browser.close().catch(killNow);
      await exited;
      clearTimeout(timer);
      killNow(); // helpers that outlived the browser
      watchdog.stand();
      rmSync(userDataDir, { recursive: true, force: true });
    })()),
    killNow,
  };
}
