import { connect, type Socket } from 'node:net';
import { DemoRun } from '../src/demo/runDemo';
import { startDashboardServer, DEFAULT_LIMITS, type DashboardLimits, type DashboardServer } from '../src/demo/dashboardServer';
import { cli, waitFor } from './support/cli';
import { get, raw } from './support/http';

jest.setTimeout(120_000);

/** A run that is never started: the server serves its (quiet) streams; the test pushes heap frames. */
const idleRun = (): DemoRun => new DemoRun({ pages: 1, tabs: 1, products: 1, release: true });

describe('the dashboard server against hostile and careless clients', () => {
  let server: DashboardServer;
  let run: DemoRun;
  let port: number;
  const start = async (limits: DashboardLimits = DEFAULT_LIMITS): Promise<void> => {
    run = idleRun();
    server = await startDashboardServer(run, 0, limits);
    port = Number(new URL(server.url).port);
  };
  afterEach(async () => {
    await server.close();
    await run.batcher.close();
  });

  it('a request target that is not a path (GET //[) gets 400, and the server goes on answering', async () => {
    await start();
    for (const target of ['//[', '//[:', 'http://[/', '*']) {
      expect(await raw(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect((await get(port, '/')).status).toBe(200);
  });

  it('refuses every Host but 127.0.0.1:PORT and localhost:PORT (DNS rebinding), with or without a Host', async () => {
    await start();
    expect(await get(port, '/events', { host: 'attacker.example' })).toMatchObject({ status: 403, ended: true });
    expect(await get(port, '/events', { host: `attacker.example:${port}` })).toMatchObject({ status: 403, ended: true });
    expect(await get(port, '/', { host: `127.0.0.1:${port + 1}` })).toMatchObject({ status: 403 });
    expect(await raw(port, 'GET / HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 403 /);
    expect((await get(port, '/', { host: `localhost:${port}` })).status).toBe(200);
    expect((await get(port, '/', { host: `LOCALHOST:${port}` })).status).toBe(200);
  });

  it('HEAD answers and ends, for the page and for the event stream; other methods get 405', async () => {
    await start();
    expect(await get(port, '/events', { method: 'HEAD' })).toMatchObject({ status: 200, ended: true, body: '', headers: { 'content-type': 'text/event-stream' } });
    expect(await get(port, '/', { method: 'HEAD' })).toMatchObject({ status: 200, ended: true, body: '' });
    expect(server.streams).toBe(0);
    expect(await get(port, '/', { method: 'POST' })).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
  });

  it('caps the event streams: beyond maxClients a page gets 503 with Retry-After', async () => {
    await start({ ...DEFAULT_LIMITS, maxClients: 3 });
    const sockets: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    await waitFor(() => server.streams === 3, 2_000);
    expect(server.streams).toBe(3);
    const refused = await get(port, '/events');
    expect(refused).toMatchObject({ status: 503, ended: true, headers: { 'retry-after': '5' } });
    for (const socket of sockets) socket.destroy();
    await waitFor(() => server.streams === 0, 2_000);
    expect((await get(port, '/events', { ms: 200 })).status).toBe(200); // room again
  });

  it('drops a page that does not read instead of buffering for it, and keeps the one that does', async () => {
    await start({ ...DEFAULT_LIMITS, maxBufferedBytes: 64 << 10 });
    const idle = connect(port, '127.0.0.1', () => idle.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    idle.on('error', () => undefined);
    idle.pause(); // never reads
    let read = 0;
    let tail = '';
    const reader = connect(port, '127.0.0.1', () => reader.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    reader.on('data', (d: Buffer) => {
      read += d.length;
      tail = (tail + d.toString()).slice(-4_000);
    });
    await waitFor(() => server.streams === 2, 2_000);
    // up to ~40 MB of frames, in bursts of ~20 KB: far more than the kernel's socket buffers hold for
    // the idle page. The reading page takes each burst before the next is sent (it has received the
    // burst's last frame), so what it has not read never passes one burst, however loaded the machine.
    for (let round = 0; round < 2_000 && server.streams === 2; round++) {
      const last = 1_000_000 + round * 1_000 + 499;
      for (let i = 0; i < 500; i++) run.heap$.next(last - 499 + i);
      await waitFor(() => tail.includes(`"bytes":${last}`) || server.streams !== 2, 5_000, 1);
    }
    await waitFor(() => server.streams === 1, 5_000);
    expect(server.streams).toBe(1);
    const before = read;
    run.heap$.next(42);
    await waitFor(() => read > before, 2_000);
    expect(read).toBeGreaterThan(before); // the reading page still gets every frame
    idle.destroy();
    reader.destroy();
  });

  it('a page that connects late gets hello and a bounded replay, not the whole history', async () => {
    await start({ ...DEFAULT_LIMITS, replayBytes: 32 << 10 });
    for (let i = 0; i < 100_000; i++) run.heap$.next(i); // ~4 MB of frames
    const late = await get(port, '/events', { ms: 500 });
    expect(late.status).toBe(200);
    expect(late.body.startsWith('event: hello\n')).toBe(true);
    expect(late.body.length).toBeLessThanOrEqual((32 << 10) + 1_000);
    expect(late.body).toContain('"bytes":99999'); // the latest frames
    expect(late.body).not.toContain('"bytes":1000,'); // not the old ones
  });
});

describe('the demo\'s dashboard under a hostile request (the real command)', () => {
  it('GET //[ from another page gets 400; the crawl goes on and ends as usual', async () => {
    let answer = '';
    const ran = await cli(['demo', '--serve', '--pages', '60', '--tabs', '2', '--products', '100'], {
      during: (_child, output) => {
        void (async () => {
          await waitFor(() => /live dashboard: http:\S+/.test(output()), 60_000);
          const url = /live dashboard: (http:\S+)/.exec(output())?.[1] ?? '';
          const port = Number(new URL(url).port);
          answer = await raw(port, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
        })();
      },
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('crawled 60 pages');
  });
});
