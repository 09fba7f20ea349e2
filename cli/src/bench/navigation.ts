// What a navigation costs with releases queued: the messages still sent to the dead page, and how
// long flush() takes once the navigation is done.
import { ReleaseBatcher } from 'cdp-release-batcher';
import type { Browser, CDPSession } from 'puppeteer-core';
import { mintHandles } from './connections.js';

export interface NavigationCost {
  client: 'puppeteer-core';
  /** Releases queued (handles released) before the navigation started. */
  queued: number;
  /** `Runtime.releaseObject` messages written to Chrome for them, in all (those released before the navigation included). */
  sent: number;
  /** Of those, the ones Chrome answered with an error: sent to a context that was already gone. */
  sentToDeadContext: number;
  /** From the navigation's end to `flush()` settled (ms). */
  flushMs: number;
  released: number;
  gone: number;
}

/**
 * A fresh puppeteer-core page holding `queued` handles: all of them released through the batcher,
 * then the page navigates at once. Counts the release messages its session writes and those answered
 * with an error (the session's `send` wrapped on the instance), and times the flush after the
 * navigation. Closes its page.
 */
export async function measureNavigation(browser: Browser, queued: number): Promise<NavigationCost> {
  const page = await browser.newPage();
  try {
    await page.goto('data:text/html,<title>before</title>');
    const handles = await mintHandles(page, queued);
    const session = (page as unknown as { _client(): CDPSession })._client();
    let sent = 0;
    let sentToDeadContext = 0;
    const send = session.send.bind(session) as (...args: unknown[]) => Promise<unknown>;
    (session as unknown as { send: (...args: unknown[]) => unknown }).send = (...args: unknown[]) => {
      const answer = send(...args);
      if (args[0] !== 'Runtime.releaseObject') return answer;
      sent++;
      answer.catch(() => sentToDeadContext++);
      return answer;
    };
    const batcher = new ReleaseBatcher();
    for (const handle of handles) batcher.release(handle);
    await page.goto('data:text/html,<title>after</title>');
    const t0 = performance.now();
    await batcher.flush();
    const flushMs = performance.now() - t0;
    const { released, gone } = batcher.stats;
    await batcher.close();
    if (released + gone !== queued) throw new Error(`navigation: ${released + gone} of ${queued} releases settled released or gone (${JSON.stringify(batcher.stats)})`);
    return { client: 'puppeteer-core', queued, sent, sentToDeadContext, flushMs, released, gone };
  } finally {
    await page.close().catch(() => undefined);
  }
}
