import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..');

/** The README's runnable examples, run as a user would (each launches and stops its own Chromium). */
async function example(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join('examples', `${name}.ts`)], { cwd: root, timeout: 90_000 });
  return stdout;
}

const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;

describe('README examples', () => {
  jest.setTimeout(120_000);

  it('examples/crawler.ts crawls every page and releases every object it held', async () => {
    const out = lastJson(await example('crawler'));
    expect(out).toMatchObject({ pages: 12, products: 600, stats: { enqueued: 12, released: 12, failed: 0, timedOut: 0, pending: 0, inFlight: 0 } });
  });

  it('examples/puppeteer.ts releases through a puppeteer-core CDPSession', async () => {
    expect(lastJson(await example('puppeteer'))).toMatchObject({ enqueued: 1001, released: 1001 });
  });

  it('examples/playwright.ts releases a scope through a playwright-core CDPSession', async () => {
    expect(lastJson(await example('playwright'))).toMatchObject({ enqueued: 1, released: 1 });
  });

  it.each(['puppeteer', 'playwright'])('examples/crawlee-%s.ts: crawlee\'s crawler releases every handle its pages gave, as they are', async (client) => {
    const out = lastJson(await example(`crawlee-${client}`));
    expect(out).toMatchObject({ pages: 12, products: 2_400, stats: { enqueued: 2_400, released: 2_400, gone: 0, failed: 0, timedOut: 0, invalid: 0, pending: 0, inFlight: 0, watched: 0 } });
  });

  it('examples/crawlee-census.ts: a crawlee-launched browser seen by the census — what each page still held before crawlee closed it, and nothing once it did', async () => {
    const out = lastJson(await example('crawlee-census')) as { pages: number; created: number; released: number; held: number; leftBehindPerPage: { held: number; heldBy: Record<string, number> }[] };
    expect(out).toMatchObject({ pages: 12, held: 0 });
    expect(out.created).toBeGreaterThan(12 * 50);
    expect(out.released).toBe(out.created);
    expect(out.leftBehindPerPage).toHaveLength(12);
    // The handle waitForSelector returned, never disposed: held by a DOM or Runtime call on every page.
    for (const page of out.leftBehindPerPage) expect(page.held).toBeGreaterThan(0);
  });

  it('examples/quickstart.ts brings the page heap back', async () => {
    const out = await example('quickstart');
    const heap = /page heap: before ([\d.]+) MB, holding ([\d.]+) MB, after release ([\d.]+) MB/.exec(out);
    expect(heap).not.toBeNull();
    const [before, holding, after] = (heap as RegExpExecArray).slice(1).map(Number) as [number, number, number];
    expect(holding).toBeGreaterThan(before * 2);
    expect(Math.abs(after - before)).toBeLessThanOrEqual(Math.max(0.1, before * 0.1));
    expect(out).toContain('"released":50000');
  });
});
