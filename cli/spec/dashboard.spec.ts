import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../src/browser/launchChromium';
import type { DemoSummary } from '../src/demo/runDemo';
import { chromiumUnder, cli, waitFor } from './support/cli';

jest.setTimeout(180_000);

/** Where the browser test leaves its screenshots (ignored by git; CI can keep it as an artifact). */
const OUTPUT = join(__dirname, '..', '..', 'test-output'); // the repository's, beside the library's

const FIELDS = ['enqueued', 'released', 'gone', 'failed', 'timedOut', 'dropped', 'duplicate', 'invalid', 'pending', 'inFlight'] as const;

/** The URL the demo prints at start (`live dashboard: URL`), once it has printed it. */
async function dashboardUrl(output: () => string): Promise<string | undefined> {
  const printed = /live dashboard: (http:\S+)/;
  await waitFor(() => printed.test(output()), 60_000);
  return printed.exec(output())?.[1];
}

async function numberOf(page: Page, name: string): Promise<number> {
  const text = (await page.textContent(`#stat-${name}`)) ?? '';
  return Number(text.replace(/,/g, ''));
}

/** Opens the dashboard once the demo prints its URL, and reads one figure every 100 ms until the page says the crawl finished. */
function follow(page: Page, output: () => string, name: string, seen: number[], onState: (state: string) => void = () => undefined): void {
  void (async () => {
    const url = await dashboardUrl(output);
    if (url === undefined) return;
    await page.goto(url);
    for (;;) {
      const state = (await page.getAttribute('body', 'data-state')) ?? '';
      onState(state);
      seen.push(await numberOf(page, name));
      if (state === 'finished' || seen.length > 1200) break;
      await page.waitForTimeout(100);
    }
  })().catch(() => undefined);
}

describe('cdp-release demo --serve: the live dashboard in a real browser', () => {
  let viewer: LaunchedChromium;
  let browser: Browser;
  beforeAll(async () => {
    // The browser that looks at the dashboard: our launcher (killed by pid), driven by playwright-core.
    viewer = await launchChromium();
    browser = await playwright.connectOverCDP(viewer.browserWSEndpoint);
  });
  afterAll(async () => {
    await browser.close().catch(() => undefined);
    await viewer.close();
  });

  it('updates while the crawl runs, ends with the counts of the JSON summary, and is captured in a screenshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    const json = join(dir, 'summary.json');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const seen: number[] = [];
    let state = '';
    const ran = cli(['demo', '--serve', '--pages', '160', '--tabs', '2', '--products', '300', '--json', json], {
      during: (_child, output) => follow(page, output, 'released', seen, (s) => (state = s)),
    });
    const result = await ran;
    expect(result.code).toBe(0);
    await waitFor(() => state === 'finished', 10_000);
    expect(state).toBe('finished');

    // The numbers moved while the crawl ran: several distinct, growing values before the end.
    const live = [...new Set(seen.filter((n) => Number.isFinite(n) && n > 0))];
    expect(live.length).toBeGreaterThanOrEqual(3);
    expect([...live].sort((a, b) => a - b)).toEqual(live);

    const summary = JSON.parse(readFileSync(json, 'utf8')) as DemoSummary;
    for (const field of FIELDS) expect([field, await numberOf(page, field)]).toEqual([field, summary.stats[field]]);
    expect(summary.stats.released).toBe(summary.objects);
    expect(await page.textContent('#banner')).toContain(`${summary.pages} pages`);
    // Every chart was drawn, with data (ECharts draws on a canvas in each panel).
    const points = await page.evaluate<[string, boolean, number][]>('[...document.querySelectorAll(".plot")].map((el) => [el.id, el.querySelectorAll("canvas").length > 0, Number(el.dataset.points)])');
    expect(points.map(([id]) => id)).toEqual(['chart-rate', 'chart-queue', 'chart-batches', 'chart-heap']);
    for (const [id, drawn, n] of points) expect([id, drawn, n > 0]).toEqual([id, true, true]);

    mkdirSync(OUTPUT, { recursive: true });
    const shot = join(OUTPUT, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');

    await context.close();
    expect(chromiumUnder(result.tmp)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--client playwright --no-release: the live count of watched handles per page grows on the dashboard while the crawl leaks', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const seen: number[] = [];
    const ran = cli(['demo', '--serve', '--client', 'playwright', '--no-release', '--pages', '30', '--tabs', '2', '--products', '100'], {
      during: (_child, output) => follow(page, output, 'watched', seen),
    });
    const result = await ran;
    expect(result.code).toBe(0);
    await page.waitForSelector('body[data-state=finished]', { timeout: 10_000 });
    seen.push(await numberOf(page, 'watched'));
    const rows = await page.$$eval('#watched-pages tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-page') ?? '', ...[...tr.cells].map((td) => td.textContent ?? '')]));
    const live = [...new Set(seen.filter((n) => Number.isFinite(n) && n > 0))];
    expect(live.length).toBeGreaterThanOrEqual(3); // seen growing, not only at the end
    expect([...live].sort((a, b) => a - b)).toEqual(live);
    expect(Math.max(...live)).toBe(3_000); // 30 pages x 100 handles, none disposed
    expect(rows).toHaveLength(2); // one row per tab's page (the pages went to whichever tab was free)
    // Both tabs show the same site: the rows are told apart by page, each labelled with its number.
    expect(rows.map(([key, label]) => label === `page ${key}`)).toEqual([true, true]);
    expect(new Set(rows.map(([key]) => key)).size).toBe(2);
    expect(rows.map(([, , url]) => url)).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/)]);
    const perPage = rows.map(([, , , count]) => Number((count ?? '').replace(/,/g, '')));
    expect(perPage[0]! + perPage[1]!).toBe(3_000);
    expect(await page.textContent('#banner')).toContain('the remote objects were never released (--no-release)'); // the heap verdict
    // The census's table: the tabs' inspectors hold the 3,000 handles' objects, and playwright's own.
    const census = await page.$$eval('#census-pages tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent ?? '')));
    const tabs = census.filter((cells) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(cells[1] ?? ''));
    expect(tabs).toHaveLength(2);
    const heldPerTab = tabs.map((cells) => Number((cells[2] ?? '').replace(/,/g, '')));
    expect(heldPerTab[0]! + heldPerTab[1]!).toBeGreaterThanOrEqual(3_000);
    expect(tabs.every((cells) => (cells[5] ?? '').includes('DOM.resolveNode'))).toBe(true);
    expect(await numberOf(page, 'held')).toBeGreaterThanOrEqual(heldPerTab[0]! + heldPerTab[1]!);
    expect(await page.textContent('#banner')).toMatch(/still held: [\d,]+ \(census\), [\d,]+ \(heap snapshot\)/);
    await context.close();
    await waitFor(() => chromiumUnder(result.tmp).length === 0, 5_000);
    expect(chromiumUnder(result.tmp)).toEqual([]);
  });

  it('says so when the server goes away mid-crawl, and keeps the last numbers on screen', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    let before = Number.NaN;
    const ran = cli(['demo', '--serve', '--pages', '2000', '--tabs', '2', '--products', '300'], {
      during: (child, output) => {
        void (async () => {
          const url = await dashboardUrl(output);
          if (url === undefined) return;
          await page.goto(url);
          await page.waitForFunction('Number(document.querySelector("#stat-released").textContent.replace(/,/g, "")) > 0', undefined, { timeout: 60_000 });
          before = await numberOf(page, 'released');
          child.kill('SIGTERM');
        })().catch(() => undefined);
      },
    });
    const result = await ran;
    expect(result.code).toBe(143);
    await page.waitForSelector('body[data-state=server-gone]', { timeout: 10_000 });
    expect(await page.textContent('#banner')).toContain('server went away');
    expect(await numberOf(page, 'released')).toBeGreaterThanOrEqual(before);
    await context.close();
    // SIGKILLed with its process group as the command exited: give the kernel a moment to reap them.
    await waitFor(() => chromiumUnder(result.tmp).length === 0, 5_000);
    expect(chromiumUnder(result.tmp)).toEqual([]);
  });

  it('rejects a bad port with exit code 2', async () => {
    const result = await cli(['demo', '--serve', '70000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--serve takes a port');
  });
});
