// What a navigation costs with releases queued: the messages still sent to the dead page, and how
// long flush() takes once the navigation is done.
import { ReleaseBatcher } from 'cdp-release-batcher';
import type { ConnectionTransport } from 'puppeteer-core';
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

/** puppeteer-core's transport, counting the release frames written and the error answers to them. */
class CountingTransport implements ConnectionTransport {
  sent = 0;
  sentToDeadContext = 0;
  readonly #releases = new Set<number>();
  onmessage?: (message: string) => void;
  onclose?: () => void;

  constructor(private readonly inner: ConnectionTransport) {
    inner.onmessage = (message: string) => {
      if (message.includes('"error"')) {
        const { id } = JSON.parse(message) as { id?: number };
        if (id !== undefined && this.#releases.delete(id)) this.sentToDeadContext++;
      }
      this.onmessage?.(message);
    };
    inner.onclose = () => this.onclose?.();
  }

  send(message: string): void {
    if (message.includes('"method":"Runtime.releaseObject"')) {
      this.sent++;
      this.#releases.add((JSON.parse(message) as { id: number }).id);
    }
    this.inner.send(message);
  }

  close(): void {
    this.inner.close();
  }
}

/**
 * A fresh puppeteer-core page, on a connection of its own whose transport counts what is written:
 * `queued` handles, all of them released through the batcher, then the page navigates at once.
 * Counts the release frames on the wire (however they are sent) and those answered with an error,
 * and times the flush after the navigation. Closes its page and its connection.
 */
export async function measureNavigation(browserWSEndpoint: string, queued: number): Promise<NavigationCost> {
  const { connect } = await import('puppeteer-core');
  const { NodeWebSocketTransport } = await import('puppeteer-core/internal/node/NodeWebSocketTransport.js');
  const transport = new CountingTransport(await NodeWebSocketTransport.create(browserWSEndpoint));
  const browser = await connect({ transport, defaultViewport: null, protocolTimeout: 600_000 });
  const page = await browser.newPage();
  try {
    await page.goto('data:text/html,<title>before</title>');
    const handles = await mintHandles(page, queued);
    const sentBefore = transport.sent;
    const batcher = new ReleaseBatcher();
    for (const handle of handles) batcher.release(handle);
    await page.goto('data:text/html,<title>after</title>');
    const t0 = performance.now();
    await batcher.flush();
    const flushMs = performance.now() - t0;
    const { released, gone } = batcher.stats;
    await batcher.close();
    if (released + gone !== queued) throw new Error(`navigation: ${released + gone} of ${queued} releases settled released or gone (${JSON.stringify(batcher.stats)})`);
    return { client: 'puppeteer-core', queued, sent: transport.sent - sentBefore, sentToDeadContext: transport.sentToDeadContext, flushMs, released, gone };
  } finally {
    await page.close().catch(() => undefined);
    await browser.disconnect().catch(() => undefined);
  }
}
