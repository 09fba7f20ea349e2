import type CDP from 'chrome-remote-interface';

/**
 * What a chrome-remote-interface client's socket carries, counted at the socket (`_ws`), whoever
 * writes it: the client's own commands and the frames a batcher writes on its wire alike.
 */
export class CriFrames {
  /** `Runtime.releaseObject` frames written. */
  releases = 0;
  /** Release frames written before the first answer to one arrived (-1: none answered yet). */
  beforeFirstAnswer = -1;
  /** `Runtime.releaseObject` frames that went through the client's own `send`. */
  throughSend = 0;

  constructor(client: CDP.Client) {
    const internals = client as unknown as { _ws: { send: (...args: unknown[]) => unknown; on(event: 'message', listener: (data: Buffer) => void): unknown }; send: (...args: unknown[]) => unknown };
    const ws = internals._ws;
    const write = ws.send.bind(ws);
    const released = new Set<number>();
    ws.send = (...args: unknown[]) => {
      const text = String(args[0]);
      if (text.includes('"method":"Runtime.releaseObject"')) {
        this.releases++;
        released.add((JSON.parse(text) as { id: number }).id);
      }
      return write(...args);
    };
    ws.on('message', (data) => {
      if (this.beforeFirstAnswer >= 0) return;
      const { id } = JSON.parse(data.toString()) as { id?: number };
      if (id !== undefined && released.has(id)) this.beforeFirstAnswer = this.releases;
    });
    const send = internals.send.bind(client);
    internals.send = (...args: unknown[]) => {
      if (args[0] === 'Runtime.releaseObject') this.throughSend++;
      return send(...args);
    };
  }
}
