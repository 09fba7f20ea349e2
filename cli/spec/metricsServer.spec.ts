import { hasSubscribers } from 'node:diagnostics_channel';
import { CHANNELS, ReleaseBatcher, RemoteObjectCensus, type CdpTarget } from 'cdp-release-batcher';
import { startMetricsServer, type MetricsServer } from '../src/demo/metricsServer';
import { get, raw } from './support/http';

describe('the metrics endpoint (Prometheus text format) against Prometheus and against hostile clients', () => {
  let server: MetricsServer;
  let batcher: ReleaseBatcher;
  let census: RemoteObjectCensus;
  let port: number;
  beforeEach(async () => {
    batcher = new ReleaseBatcher();
    census = new RemoteObjectCensus();
    server = await startMetricsServer({ batcher, census }, 0);
    port = Number(new URL(server.url).port);
  });
  afterEach(async () => {
    await server.close();
    await batcher.close();
    await census.close();
  });

  it('serves the batcher\'s and the census\'s figures under Prometheus names, read at each scrape', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/metrics`);
    const fails: CdpTarget = { send: () => Promise.reject(new Error('boom')) };
    const ok: CdpTarget = { send: () => Promise.resolve({}) };
    for (let i = 0; i < 5; i++) batcher.release(ok, `ok-${i}`);
    batcher.release(fails, 'bad');
    await batcher.flush();
    const first = await get(port, '/metrics');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/plain/);
    const line = (body: string, series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(body)?.[1]);
    expect(line(first.body, 'cdp_release_releases_total{cdp_release_outcome="released",otel_scope_name="cdp-release-batcher"}')).toBe(5);
    expect(line(first.body, 'cdp_release_releases_total{cdp_release_outcome="failed",otel_scope_name="cdp-release-batcher"}')).toBe(1);
    expect(first.body).toMatch(/^# TYPE cdp_release_releases_total counter$/m);
    expect(first.body).toMatch(/^# TYPE cdp_release_call_duration_seconds histogram$/m);
    expect(line(first.body, 'cdp_release_call_duration_seconds_count{cdp_release_outcome="released",otel_scope_name="cdp-release-batcher"}')).toBe(5);
    expect(first.body).toMatch(/^# TYPE cdp_release_census_held gauge$/m);
    batcher.release(ok, 'later');
    await batcher.flush();
    expect(line((await get(port, '/metrics')).body, 'cdp_release_releases_total{cdp_release_outcome="released",otel_scope_name="cdp-release-batcher"}')).toBe(6);
  });

  it('keeps the dashboard server\'s hardening: loopback Host only, GET and HEAD only, /metrics only, bad targets 400', async () => {
    expect(await get(port, '/metrics', { host: 'attacker.example' })).toMatchObject({ status: 403, ended: true });
    expect(await get(port, '/metrics', { host: `127.0.0.1:${port + 1}` })).toMatchObject({ status: 403 });
    expect(await raw(port, 'GET /metrics HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 403 /);
    expect(await get(port, '/metrics', { method: 'POST' })).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
    expect(await get(port, '/metrics', { method: 'HEAD' })).toMatchObject({ status: 200, ended: true, body: '' });
    expect(await get(port, '/')).toMatchObject({ status: 404 });
    expect(await raw(port, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    expect((await get(port, '/metrics', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('a port already taken rejects with the reason, and leaves no instrument subscribed', async () => {
    await expect(startMetricsServer({ batcher, census }, port)).rejects.toThrow(/EADDRINUSE/);
    await server.close();
    expect(hasSubscribers(CHANNELS.release) || hasSubscribers(CHANNELS.batch)).toBe(false);
  });

  it('close() stops the server and the instruments, and is idempotent', async () => {
    await Promise.all([server.close(), server.close()]);
    await expect(get(port, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
  });
});
