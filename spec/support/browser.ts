import { spawn } from 'node:child_process';
import CDP from 'chrome-remote-interface';
import puppeteer from 'puppeteer-core';

/** A headless Chromium started for a test, stopped by {@link LaunchedChromium.close}. */
export interface LaunchedChromium {
  /** DevTools port on 127.0.0.1. */
  readonly port: number;
  /** The browser-level DevTools WebSocket URL. */
  readonly browserWSEndpoint: string;
  /** Process id of the browser, leader of its own process group (kill `-pid` to take every helper). */
  readonly pid: number;
  /** Stops the browser and its helper processes, and removes its profile. Idempotent. */
  close(): Promise<void>;
}

/**
 * Flags for a headless Chromium on this kind of machine: as root it needs `--no-sandbox`; without the
 * background-networking flags it keeps trying (and failing) to reach Google's services.
 */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

/**
 * Kills the browser's process group if this process dies without closing it (a Jest or Stryker run
 * interrupted, a worker killed): puppeteer-core's own exit handlers do not run on SIGKILL. The watcher
 * is an `sh` loop that polls both lives every half second and ends with the browser; when this
 * process is gone first, it kills the browser's group and removes its profile. It is started through
 * a shell that exits at once, so it belongs to no process tree of ours: StrykerJS stops a test runner
 * by killing its whole tree (tree-kill), which would take a child watcher along with the runner.
 * (The command's launcher has its own watchdog; the library's specs cannot import the app.)
 */
function watchBrowser(pid: number, profile: string): void {
  const loop = 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 0.5; done';
  const reap = 'if kill -0 "$2" 2>/dev/null; then kill -s KILL -- "-$2"; sleep 0.5; [ -z "$3" ] || rm -rf -- "$3"; fi';
  const script = `(${loop}; ${reap}) </dev/null >/dev/null 2>&1 &`;
  const starter = spawn('/bin/sh', ['-c', script, 'spec-browser-watchdog', String(process.pid), String(pid), profile], { detached: true, stdio: 'ignore' });
  starter.on('error', () => undefined);
  starter.unref();
}

/**
 * Starts Debian's Chromium (or `CHROME_PATH`) through puppeteer-core's launcher — a fresh profile, a
 * free DevTools port, the process group killed on close — for chrome-remote-interface and the other
 * clients to connect to.
 */
export async function launchChromium(): Promise<LaunchedChromium> {
  const browser = await puppeteer.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: FLAGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  const browserWSEndpoint = browser.wsEndpoint();
  const proc = browser.process();
  const pid = proc?.pid;
  if (pid === undefined) throw new Error('puppeteer-core started no browser process');
  const profile = proc?.spawnargs.find((arg) => arg.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length) ?? '';
  watchBrowser(pid, profile);
  let closing: Promise<void> | null = null;
  return {
    port: Number(new URL(browserWSEndpoint).port),
    browserWSEndpoint,
    pid,
    close: () => (closing ??= browser.close().catch(() => {
      try {
        process.kill(-pid, 'SIGKILL'); // the connection is gone (the browser was killed): take the helpers
      } catch {
        // already gone
      }
    })),
  };
}

export type Client = CDP.Client;

/** Starts one headless Chromium for the enclosing `describe`, and stops it (by pid) afterwards. */
export function useChromium(): { readonly current: LaunchedChromium } {
  const holder: { current: LaunchedChromium | null } = { current: null };
  beforeAll(async () => {
    holder.current = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await holder.current?.close();
  }, 30_000);
  return {
    get current(): LaunchedChromium {
      if (holder.current === null) throw new Error('Chromium not started');
      return holder.current;
    },
  };
}

/** A new tab, and a chrome-remote-interface client connected to it alone. */
export async function openPage(port: number): Promise<{ client: Client; targetId: string; close: () => Promise<void> }> {
  const target = await CDP.New({ port, url: 'about:blank' });
  const client = await CDP({ port, target: target.id });
  return {
    client,
    targetId: target.id,
    close: async () => {
      await client.close().catch(() => undefined);
      await CDP.Close({ port, id: target.id }).catch(() => undefined);
    },
  };
}

export { countAlive, heapAfterGc, mintObjects, sendOf, type SessionSend } from '../../src/testing/index';

/** Collects unhandled rejections while `body` runs (plus a short grace period). */
export async function noUnhandledRejections<T>(body: () => Promise<T>): Promise<{ result: T; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const on = (e: unknown): void => { unhandled.push(e); };
  process.on('unhandledRejection', on);
  try {
    const result = await body();
    await new Promise((r) => setTimeout(r, 50));
    return { result, unhandled };
  } finally {
    process.off('unhandledRejection', on);
  }
}
