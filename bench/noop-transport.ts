/**
 * The library's own cost per release, with Chrome taken out: a target whose `send` resolves at once.
 * Enqueue → every release settled, CPU time per release, for `ReleaseBatcher` (defaults) and for the
 * design card taken literally (`Subject` → `bufferCount(64)` → `mergeMap(forkJoin)`), at 200,000 and
 * 1,000,000 releases. Side by side in one process, alternating, several rounds.
 *
 *   node -r ts-node/register bench/noop-transport.ts [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { Subject, bufferCount, catchError, forkJoin, from, lastValueFrom, mergeMap, of, toArray } from 'rxjs';
import { ReleaseBatcher } from '../src/index';
import type { CdpTarget } from '../src/target';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const noop: CdpTarget = { send: () => Promise.resolve({}) };

async function batcher(n: number): Promise<void> {
  const b = new ReleaseBatcher();
  for (let i = 0; i < n; i++) b.release(noop, `id-${i}`);
  await b.close();
  if (b.stats.released !== n) throw new Error(`released ${b.stats.released}`);
}

async function literalCard(n: number): Promise<void> {
  const releases = new Subject<string>();
  const done = lastValueFrom(releases.pipe(
    bufferCount(64),
    mergeMap((batch) => forkJoin(batch.map((objectId) => from(noop.send('Runtime.releaseObject', { objectId })).pipe(catchError(() => of(null)))))),
    toArray(),
  ));
  for (let i = 0; i < n; i++) releases.next(`id-${i}`);
  releases.complete();
  await done;
}

async function cpuPerRelease(run: (n: number) => Promise<void>, n: number): Promise<number> {
  const start = process.cpuUsage();
  await run(n);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n; // ns per release
}

async function main(): Promise<void> {
  const results = new Map<string, number[]>();
  const record = (k: string, v: number): void => {
    results.set(k, [...(results.get(k) ?? []), v]);
  };
  await batcher(50_000); // warm-up, both paths
  await literalCard(50_000);
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of [200_000, 1_000_000]) {
      record(`ReleaseBatcher @${n}`, await cpuPerRelease(batcher, n));
      record(`literal card @${n}`, await cpuPerRelease(literalCard, n));
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  for (const [k, v] of results) console.log(`${k.padEnd(28)} ${median(v).toFixed(0).padStart(6)} ns CPU per release (runs: ${v.map((x) => x.toFixed(0)).join(', ')})`);
  const ours200 = median(results.get('ReleaseBatcher @200000') ?? []);
  const ours1m = median(results.get('ReleaseBatcher @1000000') ?? []);
  const card200 = median(results.get('literal card @200000') ?? []);
  console.log(`ReleaseBatcher / literal card at 200k: ${(ours200 / card200).toFixed(2)}x; ReleaseBatcher 1M / 200k: ${(ours1m / ours200).toFixed(2)}x`);
}

void main();
