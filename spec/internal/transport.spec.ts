import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { socketOf } from '../../src/internal/transport';

/** Looks like a chrome-remote-interface client: a `ws` WebSocket whose `_socket` can be corked. */
function criLike() {
  const log: string[] = [];
  let corks = 0;
  const socket = {
    cork: () => { corks++; log.push('cork'); },
    uncork: () => { corks--; log.push('uncork'); },
  };
  return {
    log,
    get corked() { return corks > 0; },
    _ws: { _socket: socket },
    send(_m: string, p: { objectId?: string; objectGroup?: string }) {
      log.push(`send ${p.objectId ?? ''}${corks > 0 ? ' (corked)' : ''}`);
      return Promise.resolve({});
    },
  };
}

describe('write coalescing on chrome-remote-interface sockets', () => {
  it('corks the socket once while a batch is sent and uncorks it at the end of the tick', async () => {
    const client = criLike();
    const batcher = new ReleaseBatcher();
    batcher.release(client, 'a');
    batcher.release(client, 'b');
    batcher.release(client, 'c');
    await batcher.flush();
    await new Promise((r) => setImmediate(r)); // the uncork is a nextTick after the sending microtasks
    expect(client.log).toEqual(['cork', 'send a (corked)', 'send b (corked)', 'send c (corked)', 'uncork']);
    expect(client.corked).toBe(false);
  });

  it('leaves other targets alone and never throws on exotic ones', () => {
    expect(socketOf({ send: () => Promise.resolve() })).toBeNull();
    expect(socketOf({ _ws: { _socket: { cork: 1 } }, send: () => Promise.resolve() } as never)).toBeNull();
    const hostile = new Proxy({ send: () => Promise.resolve() }, { get(t, k) { if (k === '_ws') throw new Error('trap'); return (t as Record<string | symbol, unknown>)[k]; } });
    expect(socketOf(hostile as never)).toBeNull();
  });
});
