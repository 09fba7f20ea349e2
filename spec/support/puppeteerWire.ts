import type { ConnectionTransport, JSHandle, Page } from 'puppeteer-core';
import WebSocket from 'ws';
import { arraysOf, handlesFrom } from './objectHandles';

/** puppeteer's connection to the browser, counting the `Runtime.releaseObject` messages it writes. */
export class CountingTransport implements ConnectionTransport {
  releases = 0;
  /** The message id of every `Runtime.releaseObject` written. */
  readonly releaseIds: number[] = [];
  onmessage?: (message: string) => void;
  onclose?: () => void;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onmessage?.(data.toString()));
    ws.on('close', () => this.onclose?.());
  }

  static async connect(url: string): Promise<CountingTransport> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new CountingTransport(ws);
  }

  send(message: string): void {
    if (message.includes('"method":"Runtime.releaseObject"')) {
      this.releases++;
      this.releaseIds.push((JSON.parse(message) as { id: number }).id);
    }
    this.ws.send(message);
  }

  close(): void {
    this.ws.close();
  }
}

/** `n` fresh objects as puppeteer JSHandles, read from arrays of 1,000 with `getProperties()`. */
export function handlesOf(page: Page, n: number): Promise<JSHandle[]> {
  return handlesFrom((count) => page.evaluateHandle(arraysOf, count), n);
}
