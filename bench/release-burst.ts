/**
 * Burst of N releases to one real page through chrome-remote-interface, side by side in one run:
 * awaiting each `Runtime.releaseObject` in turn, the best hand-tuned windows for this client, and a
 * `ReleaseBatcher` with default options.
 * Each round mints fresh objects, times enqueue → everything settled, and checks afterwards that a
 * sample of the released ids is really gone.
 *
 *   npm run bench:burst -- [--objects 20000] [--rounds 3] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import CDP from 'chrome-remote-interface';
import { launchChromium } from '../src/browser/launchChromium';
import { ReleaseBatcher } from '../src/index';
import { countAlive, mintObjects, sendOf } from '../spec/support/browser';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const N = Number(values.objects);
const ROUNDS = Number(values.rounds);

type Strategy = { name: string; group?: string; run: (client: CDP.Client, ids: string[]) => Promise<void> };
let scopeCount = 0;

const strategies: Strategy[] = [
  {
    name: 'await each Runtime.releaseObject',
    run: async (client, ids) => {
      for (const objectId of ids) await client.Runtime.releaseObject({ objectId });
    },
  },
  ...[2, 4].map((k): Strategy => ({
    // The best hand-tuned window for this client (PRODUCT.md): batches of 64, k batches in flight.
    name: `hand-tuned: 64 x ${k} batches in flight`,
    run: async (client, ids) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < ids.length) {
          const batch = ids.slice(next, next + 64);
          next += 64;
          await Promise.all(batch.map((objectId) => client.Runtime.releaseObject({ objectId })));
        }
      };
      await Promise.all(Array.from({ length: k }, worker));
    },
  })),
  {
    name: 'ReleaseBatcher (defaults)',
    run: async (client, ids) => {
      const batcher = new ReleaseBatcher();
      for (const id of ids) batcher.release(client, id);
      await batcher.close();
      if (batcher.stats.released !== ids.length) throw new Error(`released ${batcher.stats.released} of ${ids.length}`);
    },
  },
  {
    // One Runtime.releaseObjectGroup for every object: what a ReleaseScope does when disposed.
    name: 'object group (ReleaseScope dispose)',
    group: 'scope',
    run: async (client) => {
      const batcher = new ReleaseBatcher();
      // the objects were minted in `bench-scope-N`; release that group the way a scope does
      batcher.releaseGroup(client, `bench-scope-${scopeCount}`);
      await batcher.close();
      if (batcher.stats.released !== 1) throw new Error('group release failed');
    },
  },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const chromium = await launchChromium();
  try {
    const target = await CDP.New({ port: chromium.port, url: 'about:blank' });
    const client = await CDP({ port: chromium.port, target: target.id });
    const send = sendOf(client);
    const rates = new Map<string, number[]>(strategies.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const strategy of strategies) {
        if (strategy.group !== undefined) scopeCount++;
        const ids = await mintObjects(send, N, 4, strategy.group === undefined ? undefined : `bench-scope-${scopeCount}`);
        const t0 = process.hrtime.bigint();
        await strategy.run(client, ids);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const check = await countAlive(send, ids.filter((_, i) => i % 100 === 0));
        if (check.alive !== 0) throw new Error(`${strategy.name}: ${check.alive} objects still alive`);
        rates.get(strategy.name)?.push(N / seconds);
      }
    }
    await client.close();
    const results = strategies.map((s) => {
      const r = rates.get(s.name) as number[];
      return { strategy: s.name, releasesPerSecond: { median: median(r), min: Math.min(...r), max: Math.max(...r) } };
    });
    const base = results[0]?.releasesPerSecond.median ?? 1;
    for (const r of results) {
      console.log(`${r.strategy.padEnd(40)} ${Math.round(r.releasesPerSecond.median).toString().padStart(8)} releases/s  (min ${Math.round(r.releasesPerSecond.min)}, max ${Math.round(r.releasesPerSecond.max)})  ${(r.releasesPerSecond.median / base).toFixed(1)}x`);
    }
    if (values.json) {
      const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, chromium: chromium.executablePath };
      writeFileSync(values.json, JSON.stringify({ machine, objects: N, rounds: ROUNDS, results }, null, 2));
    }
  } finally {
    await chromium.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
