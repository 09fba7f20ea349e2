/**
 * Burst of N releases over a puppeteer-core session, side by side in one run: puppeteer's own
 * `JSHandle.dispose()` (one by one, and all at once with `Promise.all`), hand-tuned windows of 64 × k
 * batches over the `CDPSession`, and a `ReleaseBatcher` with default options on that session.
 *
 *   node -r ts-node/register bench/puppeteer-burst.ts [--objects 20000] [--rounds 3] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import puppeteer, { type CDPSession, type JSHandle, type Page } from 'puppeteer-core';
import { launchChromium } from '../src/browser/launchChromium';
import { ReleaseBatcher } from '../src/index';
import { countAlive, mintObjects, sendOf, type SessionSend } from '../spec/support/browser';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, json: { type: 'string' } } });
const N = Number(values.objects);
const ROUNDS = Number(values.rounds);

interface Context { page: Page; session: CDPSession; send: SessionSend }
interface Strategy { name: string; handles?: boolean; run: (ctx: Context, ids: string[], handles: JSHandle[]) => Promise<void> }

/** N fresh objects as puppeteer JSHandles (their ids are what dispose() releases). */
async function mintHandles(page: Page, n: number): Promise<JSHandle[]> {
  const handles: JSHandle[] = [];
  while (handles.length < n) {
    const count = Math.min(1000, n - handles.length);
    const array = await page.evaluateHandle((c: number) => Array.from({ length: c }, (_, i) => ({ i })), count);
    const props = await array.getProperties();
    for (const [name, handle] of props) if (/^\d+$/.test(name)) handles.push(handle);
    await array.dispose();
  }
  return handles;
}

const window = (k: number): Strategy => ({
  name: `hand-tuned: 64 x ${k} over CDPSession`,
  run: async ({ session }, ids) => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const batch = ids.slice(next, next + 64);
        next += 64;
        await Promise.all(batch.map((objectId) => session.send('Runtime.releaseObject', { objectId })));
      }
    };
    await Promise.all(Array.from({ length: k }, worker));
  },
});

const strategies: Strategy[] = [
  { name: 'puppeteer dispose() one by one', handles: true, run: async (_c, _ids, handles) => { for (const h of handles) await h.dispose(); } },
  { name: 'puppeteer Promise.all(dispose())', handles: true, run: async (_c, _ids, handles) => { await Promise.all(handles.map((h) => h.dispose())); } },
  ...[2, 4, 8, 16].map(window),
  ...(process.env.BENCH_MAX_IN_FLIGHT ?? '').split(',').filter(Boolean).map((m): Strategy => ({
    name: `ReleaseBatcher maxInFlight ${m}`,
    run: async ({ session }, ids) => {
      const batcher = new ReleaseBatcher({ maxInFlight: Number(m) });
      for (const id of ids) batcher.release(session, id);
      await batcher.close();
    },
  })),
  {
    name: 'ReleaseBatcher (defaults) over CDPSession',
    run: async ({ session }, ids) => {
      const batcher = new ReleaseBatcher();
      for (const id of ids) batcher.release(session, id);
      await batcher.close();
      if (batcher.stats.released !== ids.length) throw new Error(`released ${batcher.stats.released}`);
    },
  },
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const chromium = await launchChromium();
  try {
    const browser = await puppeteer.connect({ browserWSEndpoint: chromium.browserWSEndpoint });
    const page = await browser.newPage();
    const session = await page.createCDPSession();
    const send = sendOf(session);
    const rates = new Map<string, number[]>(strategies.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of strategies) {
        const handles = s.handles === true ? await mintHandles(page, N) : [];
        const ids = s.handles === true ? handles.map((h) => h.remoteObject().objectId as string) : await mintObjects(send, N, 4);
        const t0 = process.hrtime.bigint();
        await s.run({ page, session, send }, ids, handles);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const check = await countAlive(send, ids.filter((_, i) => i % 100 === 0));
        if (s.handles !== true && check.alive !== 0) throw new Error(`${s.name}: ${check.alive} objects still alive`);
        rates.get(s.name)?.push(N / seconds);
      }
    }
    const results = strategies.map((s) => {
      const r = rates.get(s.name) as number[];
      return { strategy: s.name, releasesPerSecond: { median: median(r), min: Math.min(...r), max: Math.max(...r) } };
    });
    const all = results.find((r) => r.strategy.includes('Promise.all'))?.releasesPerSecond.median ?? 1;
    for (const r of results) console.log(`${r.strategy.padEnd(44)} ${Math.round(r.releasesPerSecond.median).toString().padStart(8)} releases/s  (min ${Math.round(r.releasesPerSecond.min)}, max ${Math.round(r.releasesPerSecond.max)})  ${(r.releasesPerSecond.median / all).toFixed(2)}x Promise.all`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ objects: N, rounds: ROUNDS, results }, null, 2));
    await browser.disconnect();
  } finally {
    await chromium.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
