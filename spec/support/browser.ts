import CDP from 'chrome-remote-interface';
import { launchChromium, type LaunchedChromium } from '../../src/browser/launchChromium';

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

export { countAlive, heapAfterGc, mintObjects, sendOf, type SessionSend } from '../../src/bench/pageObjects';

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
