import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../src/browser/launchChromium';
import type { DemoSummary } from '../src/demo/runDemo';
import { chromiumUnder, cli, waitFor } from './support/cli';

jest.setTimeout(120_000);

describe('cdp-release demo (the real command, small sizes)', () => {
  it('crawls, releases everything, and writes a JSON summary whose heap came back within 10%', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'demo-json-')), 'summary.json');
    const ran = await cli(['demo', '--pages', '8', '--tabs', '2', '--products', '100', '--json', out]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8')) as DemoSummary;
    expect(s).toMatchObject({ pages: 8, release: true, interrupted: false, stats: { pending: 0, inFlight: 0, failed: 0, timedOut: 0 } });
    expect(s.objects).toBeGreaterThanOrEqual(8 * 101);
    expect(s.stats.released).toBe(s.objects);
    expect(s.stats.enqueued).toBe(s.objects);
    expect(Math.abs(s.heap.afterBytes - s.heap.beforeBytes) / s.heap.beforeBytes).toBeLessThan(0.1);
    expect(ran.stdout).toContain('back within 10% of where it started');
    expect(chromiumUnder(ran.tmp)).toEqual([]);
    rmSync(ran.tmp, { recursive: true, force: true });
  });

  it('--no-release runs the same crawl without releasing: the heap does not come back, and it says so', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'demo-json-')), 'summary.json');
    const ran = await cli(['demo', '--pages', '8', '--tabs', '2', '--products', '100', '--no-release', '--json', out]);
    expect(ran.code).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8')) as DemoSummary;
    expect(s).toMatchObject({ pages: 8, release: false, stats: { enqueued: 0, released: 0 } });
    expect(s.heap.afterBytes).toBeGreaterThan(s.heap.beforeBytes * 1.1);
    expect(ran.stdout).toContain('never released (--no-release)');
    expect(chromiumUnder(ran.tmp)).toEqual([]);
  });

  it('--client playwright: every product an ElementHandle released as it is; the heap comes back; nothing left watched', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'demo-json-')), 'summary.json');
    const ran = await cli(['demo', '--client', 'playwright', '--pages', '8', '--tabs', '2', '--products', '100', '--json', out]);
    expect(ran.code).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8')) as DemoSummary;
    expect(s).toMatchObject({ pages: 8, client: 'playwright', objects: 800, stats: { enqueued: 800, released: 800, failed: 0, gone: 0, watched: 0, watchedByPage: [] } });
    expect(Math.abs(s.heap.afterBytes - s.heap.beforeBytes) / s.heap.beforeBytes).toBeLessThan(0.1);
    expect(chromiumUnder(ran.tmp)).toEqual([]);
  });

  it('--client playwright --no-release: every handle still watched at the end, the heap grown, and the summary says so', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'demo-json-')), 'summary.json');
    const ran = await cli(['demo', '--client', 'playwright', '--no-release', '--pages', '8', '--tabs', '2', '--products', '100', '--json', out]);
    expect(ran.code).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8')) as DemoSummary;
    expect(s).toMatchObject({ release: false, stats: { enqueued: 0, watched: 800 } });
    expect(s.stats.watchedByPage).toHaveLength(2); // one per tab
    expect(s.stats.watchedByPage.reduce((sum, p) => sum + p.watched, 0)).toBe(800);
    expect(s.heap.afterBytes).toBeGreaterThan(s.heap.beforeBytes * 1.1);
    expect(ran.stdout).toContain('playwright handles watched and never disposed: 800');
    expect(chromiumUnder(ran.tmp)).toEqual([]);
  });

  it.each([
    [['demo', '--pages', '-1'], 2, /--pages must be a whole number/],
    [['demo', '--tabs', 'abc'], 2, /--tabs must be a whole number/],
    [['demo', '--pages', '0'], 2, /--pages must be a whole number/],
    [['demo', '--browser-url', 'http://127.0.0.1:9222'], 2, /expected a ws:\/\/ DevTools URL/],
    [['demo', '--browser-url', 'ws://127.0.0.1:9/devtools/browser/none'], 1, /ECONNREFUSED/],
    [['nonsense'], 2, /unknown command/],
  ])('%p exits %d with a one-line message and no stack trace', async (args, code, message) => {
    const ran = await cli(args);
    expect(ran.code).toBe(code);
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  it('no Chromium found: says how to install it or set CHROME_PATH, exits 1', async () => {
    const ran = await cli(['demo'], { env: { CHROME_PATH: '/nonexistent/chromium' } });
    expect(ran.code).toBe(1);
    expect(ran.stderr.trim()).toBe('cdp-release: error: CHROME_PATH=/nonexistent/chromium does not exist');
  });

  it('--help documents every option', async () => {
    const ran = await cli(['demo', '--help']);
    expect(ran.code).toBe(0);
    for (const flag of ['--pages', '--tabs', '--products', '--no-release', '--client', '--browser-url', '--json', 'CHROME_PATH', 'Exit codes']) expect(ran.stdout).toContain(flag);
  });

  it('a browser that dies mid-crawl: one-line error, exit 1', async () => {
    const browser = await launchChromium();
    try {
      const ran = await cli(['demo', '--pages', '100000', '--browser-url', browser.browserWSEndpoint], {
        during: (_child, output) => {
          void waitFor(() => /pages [1-9]\d*\/100000/.test(output()), 30_000).then(() => process.kill(-browser.pid, 'SIGKILL'));
        },
      });
      expect(ran.code).toBe(1);
      expect(ran.stderr.trim()).toBe('cdp-release: error: the browser went away during the crawl (connection closed)');
    } finally {
      await browser.close();
    }
  });

  it('SIGTERM takes the browser along', async () => {
    const ran = await cli(['demo', '--pages', '100000'], {
      during: (child, output) => {
        void waitFor(() => /pages [1-9]\d*\/100000/.test(output()), 30_000).then(() => child.kill('SIGTERM'));
      },
    });
    expect(ran.code).toBe(143);
    await waitFor(() => chromiumUnder(ran.tmp).length === 0, 5_000);
    expect(chromiumUnder(ran.tmp)).toEqual([]);
  });

  it('Ctrl-C (SIGINT) flushes, closes the browser and exits 130', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'demo-json-')), 'summary.json');
    let sawChromium = false;
    const ran = await cli(['demo', '--pages', '100000', '--json', out], {
      during: (child, output, tmp) => {
        void waitFor(() => /pages [1-9]\d*\/100000/.test(output()), 30_000).then(() => {
          sawChromium = chromiumUnder(tmp).length > 0; // the command's own browser, by its profile path
          child.kill('SIGINT');
        });
      },
    });
    expect(sawChromium).toBe(true);
    expect(ran.code).toBe(130);
    expect(ran.stderr).toContain('interrupted: flushing releases and closing the browser');
    const s = JSON.parse(readFileSync(out, 'utf8')) as DemoSummary;
    expect(s.interrupted).toBe(true);
    expect(s.pages).toBeGreaterThan(0);
    expect(s.pages).toBeLessThan(100_000);
    expect(s.stats).toMatchObject({ pending: 0, inFlight: 0 });
    expect(chromiumUnder(ran.tmp)).toEqual([]);
  });
});
