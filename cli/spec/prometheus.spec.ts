import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoSummary } from '../src/demo/runDemo';
import { chromiumUnder, cli, liveProcesses, waitFor, type Ran } from './support/cli';

jest.setTimeout(240_000);

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? 'prometheus';

/** A loopback port free right now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Sample { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }

/** Asks the Prometheus HTTP API; returns its `data.result`. */
async function ask(base: string, path: string, params: Record<string, string>): Promise<Sample[]> {
  const response = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
  const body = (await response.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus answered ${body.status}: ${body.error ?? ''}`);
  return body.data.result;
}

const instant = async (base: string, query: string): Promise<number | null> => {
  const [first] = await ask(base, '/api/v1/query', { query });
  return first?.value === undefined ? null : Number(first.value[1]);
};

describe('a real Prometheus scraping cdp-release demo processes (--metrics-port)', () => {
  let prometheus: ChildProcess | null = null;
  let dir = '';
  afterAll(async () => {
    if (prometheus !== null && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('sums the fleet\'s released counters to what the processes report, and shows a leaking process\'s held objects climbing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cdp-release-prometheus-'));
    const [webPort, a, b, leaking] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: cdp-release',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${a}', '127.0.0.1:${b}', '127.0.0.1:${leaking}']`,
      '',
    ].join('\n'));
    const base = `http://127.0.0.1:${webPort}`;
    let log = '';
    prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    prometheus.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    let ready = false;
    await waitFor(() => {
      fetch(`${base}/-/ready`).then((r) => (ready = r.ok), () => undefined);
      return ready;
    }, 30_000, 250);
    expect({ ready, log: ready ? '' : log }).toEqual({ ready: true, log: '' });

    // Three crawler processes at once: two releasing, one never releasing (the leak).
    const outs = [join(dir, 'a.json'), join(dir, 'b.json'), join(dir, 'leaking.json')];
    const small = ['--tabs', '2', '--products', '100', '--linger', '60'];
    const children: ChildProcess[] = [];
    const keep = (child: ChildProcess): void => void children.push(child);
    const runs: Promise<Ran & { tmp: string }>[] = [
      cli(['demo', '--pages', '12', ...small, '--metrics-port', String(a), '--json', outs[0] as string], { during: keep }),
      cli(['demo', '--pages', '16', ...small, '--metrics-port', String(b), '--json', outs[1] as string], { during: keep }),
      cli(['demo', '--pages', '80', ...small, '--no-release', '--metrics-port', String(leaking), '--json', outs[2] as string], { during: keep }),
    ];
    await waitFor(() => outs.every((f) => existsSync(f)), 150_000, 250);
    const [sa, sb, sl] = outs.map((f) => JSON.parse(readFileSync(f, 'utf8')) as DemoSummary) as [DemoSummary, DemoSummary, DemoSummary];
    expect(sa.stats.released).toBeGreaterThan(1_000);
    expect(sb.stats.released).toBeGreaterThan(1_000);
    expect(sl.stats.enqueued).toBe(0);

    // Each process keeps serving its final figures (--linger): wait for a scrape of all of them.
    const released = 'sum(cdp_release_releases_total{cdp_release_outcome="released"})';
    let fleet: number | null = null;
    await waitFor(() => {
      instant(base, released).then((v) => (fleet = v), () => undefined);
      return fleet === sa.stats.released + sb.stats.released + sl.stats.released;
    }, 20_000, 500);
    expect(fleet).toBe(sa.stats.released + sb.stats.released + sl.stats.released);
    expect(await instant(base, `sum by (instance) (cdp_release_releases_total{cdp_release_outcome="released", instance="127.0.0.1:${a}"})`)).toBe(sa.stats.released);
    expect(await instant(base, 'count(up{job="cdp-release"} == 1)')).toBe(3);
    expect(await instant(base, 'sum(cdp_release_releases_total{cdp_release_outcome=~"failed|timedOut"})')).toBe(0);

    // The process that never releases: its census's held objects, scraped while it crawled, climb.
    const now = Date.now() / 1000;
    const [series] = await ask(base, '/api/v1/query_range', { query: `cdp_release_census_held{instance="127.0.0.1:${leaking}"}`, start: String(now - 180), end: String(now), step: '1' });
    const held = (series?.values ?? []).map(([, v]) => Number(v));
    let rises = 0;
    for (let i = 1; i < held.length; i++) if ((held[i] as number) > (held[i - 1] as number)) rises++;
    expect(rises).toBeGreaterThanOrEqual(3);
    expect(Math.max(...held)).toBeGreaterThanOrEqual(sl.held.census);
    // while the releasing processes never held more than a crawl's worth in flight
    expect(await instant(base, `max_over_time(cdp_release_census_held{instance="127.0.0.1:${a}"}[5m])`)).toBeLessThan(sl.held.census);

    // The fleet queries of docs/METRICS.md, as written there, each answered by this Prometheus.
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'METRICS.md'), 'utf8');
    const queries = [...doc.matchAll(/```promql\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).split('\n').filter((q) => q.trim() !== ''));
    expect(queries.length).toBeGreaterThanOrEqual(6);
    for (const query of queries) expect({ query, answered: (await ask(base, '/api/v1/query', { query })).length > 0 }).toEqual({ query, answered: true });
    // "the processes whose pages hold the most", over the crawl (its tabs are closed by now): the leaking one
    const [top] = await ask(base, '/api/v1/query', { query: 'topk(1, max by (instance) (max_over_time(cdp_release_census_page_held_max[5m])))' });
    expect(top?.metric.instance).toBe(`127.0.0.1:${leaking}`);
    expect(await instant(base, 'sum(cdp_release_pending + cdp_release_in_flight)')).toBe(0); // the backlog, drained
    expect(await instant(base, 'sum(increase(cdp_release_leaked_total[1h]))')).toBe(0);

    // Done: Ctrl-C ends the lingering processes at once, each exits cleanly, no browser is left.
    for (const child of children) child.kill('SIGINT');
    const ran = await Promise.all(runs);
    expect(ran.map((r) => r.code)).toEqual([0, 0, 0]);
    for (const r of ran) expect(chromiumUnder(r.tmp)).toEqual([]);

    const stopped = new Promise((resolve) => prometheus?.once('exit', resolve));
    const pid = prometheus.pid as number;
    prometheus.kill('SIGTERM');
    await stopped;
    expect(liveProcesses().filter((l) => l.includes(dir) && l.includes(String(pid)))).toEqual([]);
  });
});
