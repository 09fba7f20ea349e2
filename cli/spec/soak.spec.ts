import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumUnder, cli } from './support/cli';
import { get } from './support/http';

jest.setTimeout(180_000);

describe('cdp-release soak --metrics-port (the real command, its shortest run)', () => {
  it('serves the run\'s metrics while it crawls, writes its samples, and leaves nothing running', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'soak-json-')), 'soak.json');
    const scrapes: number[] = [];
    let port = 0;
    const ran = await cli(['soak', '--minutes', '1', '--every', '20', '--tabs', '2', '--metrics-port', '0', '--json', json], {
      during: (child, output) => {
        const poll = setInterval(() => {
          port ||= Number(/metrics \(Prometheus\): http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(output())?.[1] ?? 0);
          if (port === 0) return;
          get(port, '/metrics').then((answer) => {
            const released = /^cdp_release_releases_total\{cdp_release_outcome="released"[^}]*\} (\d+)$/m.exec(answer.body)?.[1];
            if (released !== undefined) scrapes.push(Number(released));
          }, () => undefined);
        }, 2_000);
        child.once('exit', () => clearInterval(poll));
      },
    });
    expect(ran.code).toBe(0);
    expect(port).toBeGreaterThan(0);
    // scraped during the crawl, the released counter climbing
    expect(scrapes.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...scrapes)).toBeGreaterThan(Math.min(...scrapes));
    const result = JSON.parse(readFileSync(json, 'utf8')) as { summary: { stats: { released: number } }; samples: unknown[] };
    expect(result.summary.stats.released).toBeGreaterThanOrEqual(Math.max(...scrapes));
    expect(result.samples.length).toBeGreaterThanOrEqual(2);
    await expect(get(port, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
    expect(chromiumUnder(ran.tmp)).toEqual([]);
  });
});
