import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * A loopback WebSocket relay in front of a browser's DevTools endpoint, counting the
 * `Runtime.releaseObject` commands that cross it: the wire count of a client that owns its
 * connection (playwright-core's `connectOverCDP`). Close it after the client disconnected.
 */
export interface CountingRelay {
  /** The relay's endpoint: pass it to the client instead of the browser's. */
  readonly wsEndpoint: string;
  /** `Runtime.releaseObject` commands sent so far. */
  readonly releases: number;
  close(): Promise<void>;
}

export async function countingRelay(browserWSEndpoint: string): Promise<CountingRelay> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  let releases = 0;
  const sockets = new Set<WebSocket>();
  server.on('connection', (client) => {
    const upstream = new WebSocket(browserWSEndpoint, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    sockets.add(client).add(upstream);
    const early: string[] = [];
    client.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.includes('"method":"Runtime.releaseObject"')) releases++;
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else early.push(text);
    });
    upstream.on('open', () => {
      for (const text of early.splice(0)) upstream.send(text);
    });
    upstream.on('message', (data: Buffer) => client.send(data.toString()));
    const closeBoth = (): void => {
      client.close();
      upstream.close();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  const { port } = server.address() as AddressInfo;
  return {
    wsEndpoint: `ws://127.0.0.1:${port}${new URL(browserWSEndpoint).pathname}`,
    get releases() {
      return releases;
    },
    close: async () => {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
