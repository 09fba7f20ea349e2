import WebSocket from 'ws';

/**
 * The smallest CDP client there is: one WebSocket, JSON in and out, a map from command id to its
 * promise. No events, no sessions, no timeouts. The benchmark measures the per-object protocol limit
 * with it — what Chrome and one socket can do with nothing else in the way.
 */
export class RawCdpClient {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.#pending.get(message.id);
      if (waiter === undefined) return;
      this.#pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
    socket.on('close', () => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error('WebSocket connection closed'));
      this.#pending.clear();
    });
  }

  /** Connects to a target's `webSocketDebuggerUrl` (ws://HOST:PORT/devtools/page/ID). */
  static connect(url: string): Promise<RawCdpClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      socket.once('open', () => resolve(new RawCdpClient(socket)));
      socket.once('error', reject);
    });
  }

  send(method: string, params: object = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#socket.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      this.#socket.once('close', () => resolve());
      this.#socket.close();
    });
  }
}
