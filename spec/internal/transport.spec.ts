import { createServer, Socket, type Server } from 'node:net';
import { ReleaseBatcher } from '../../src/ReleaseBatcher';
import { FRAMES_PER_CORKED_WRITE, probedSocketOf, sendProbingSocket, socketOf } from '../../src/internal/transport';

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

  it('writes at most FRAMES_PER_CORKED_WRITE frames per corked write (a longer writev completes asynchronously)', async () => {
    const client = criLike();
    const batcher = new ReleaseBatcher({ maxInFlight: 600, maxBatch: 600 });
    for (let i = 0; i < 600; i++) batcher.release(client, `o${i}`);
    await batcher.flush();
    await new Promise((r) => setImmediate(r));
    const runs: number[] = []; // sends per corked stretch
    for (const entry of client.log) {
      if (entry === 'cork') runs.push(0);
      else if (entry.startsWith('send ') && entry.endsWith('(corked)')) runs[runs.length - 1] = (runs.at(-1) ?? 0) + 1;
    }
    expect(client.log.filter((e) => e.startsWith('send ') && !e.endsWith('(corked)'))).toEqual([]);
    expect(runs).toEqual([FRAMES_PER_CORKED_WRITE, FRAMES_PER_CORKED_WRITE, 600 - 2 * FRAMES_PER_CORKED_WRITE]);
    expect(client.corked).toBe(false);
  });

  it('leaves other targets alone and never throws on exotic ones', () => {
    expect(socketOf({ send: () => Promise.resolve() })).toBeNull();
    expect(socketOf({ _ws: { _socket: { cork: 1 } }, send: () => Promise.resolve() } as never)).toBeNull();
    const hostile = new Proxy({ send: () => Promise.resolve() }, { get(t, k) { if (k === '_ws') throw new Error('trap'); return (t as Record<string | symbol, unknown>)[k]; } });
    expect(socketOf(hostile as never)).toBeNull();
  });
});

describe('write coalescing on a socket the client keeps to itself', () => {
  let server: Server;
  let socket: Socket;
  beforeEach(async () => {
    server = createServer((peer) => peer.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A client whose `send` writes one frame to a socket it does not show (as puppeteer-core's transport). */
  function privateSocketClient(write: (frame: string) => void) {
    const log: string[] = [];
    return {
      log,
      send(_m: string, p: { objectId?: string; objectGroup?: string }) {
        log.push(`send ${p.objectId ?? ''}${socket.writableCorked > 0 ? ' (corked)' : ''}`);
        write(JSON.stringify(p));
        return Promise.resolve({});
      },
    };
  }

  it('learns the socket from the first release and corks it for the rest of the batch and later ones', async () => {
    const client = privateSocketClient((frame) => socket.write(frame));
    const batcher = new ReleaseBatcher();
    for (const id of ['a', 'b', 'c']) batcher.release(client, id);
    await batcher.flush();
    expect(probedSocketOf(client)).toBe(socket);
    await new Promise((r) => setImmediate(r));
    expect(socket.writableCorked).toBe(0); // uncorked at the end of the tick
    batcher.release(client, 'd');
    batcher.release(client, 'e');
    await batcher.close();
    expect(client.log).toEqual(['send a', 'send b (corked)', 'send c (corked)', 'send d (corked)', 'send e (corked)']);
  });

  it('a client that writes nothing while sending is remembered as having no socket, and never corked', async () => {
    const client = privateSocketClient(() => undefined);
    const batcher = new ReleaseBatcher();
    batcher.release(client, 'a');
    batcher.release(client, 'b');
    await batcher.close();
    expect(probedSocketOf(client)).toBeNull();
    expect(client.log).toEqual(['send a', 'send b']);
  });

  it('puts net.Socket.prototype.write back, also when the send throws', () => {
    const write = Socket.prototype.write;
    const target = { send: () => Promise.resolve() };
    expect(() => sendProbingSocket(target, () => {
      socket.write('x');
      throw new Error('closed');
    })).toThrow('closed');
    expect(Socket.prototype.write).toBe(write);
    expect(probedSocketOf(target)).toBe(socket);
  });
});
