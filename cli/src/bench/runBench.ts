import CDP from 'chrome-remote-interface';
import { ReleaseBatcher } from 'cdp-release-batcher';
import { countAlive, mintObjects, sendOf, type SessionSend } from 'cdp-release-batcher/testing';
import { launchChromium, type LaunchedChromium } from '../browser/launchChromium.js';
import { loadBaseline } from './baseline.js';
import { measureCensusMemory } from './census.js';
import { connectPlaywright, connectPuppeteer, connectThroughCensus, PAGE_URL, type Connections } from './connections.js';
import { goalsOf, summarise } from './goals.js';
import { machineOf } from './machine.js';
import { median, runMicro } from './micro.js';
import { measureNavigation } from './navigation.js';
import { RawCdpClient } from './rawCdp.js';
import { strategiesFor } from './strategies.js';
import type { BenchClient, BenchOptions, BenchReport, Strategy, StrategyResult } from './types.js';

export type { BenchClient, BenchOptions, BenchReport, StrategyKind, StrategyResult } from './types.js';
export { formatReport } from './report.js';

async function loneOverChrome(cri: CDP.Client, send: SessionSend, rounds: number): Promise<BenchReport['loneReleaseOverChrome']> {
  const ids = await mintObjects(send, rounds * 2, 4);
  const batcher = new ReleaseBatcher();
  const ours: number[] = [];
  const direct: number[] = [];
  const viaBatcher = async (objectId: string): Promise<void> => {
    const t0 = process.hrtime.bigint();
    batcher.release(cri, objectId);
    await batcher.flush();
    ours.push(Number(process.hrtime.bigint() - t0) / 1e6);
  };
  const awaited = async (objectId: string): Promise<void> => {
    const t0 = process.hrtime.bigint();
    await cri.Runtime.releaseObject({ objectId });
    direct.push(Number(process.hrtime.bigint() - t0) / 1e6);
  };
  for (let i = 0; i < rounds; i++) {
    // Each one alone, after the same idle pause, in alternating order.
    const [first, second] = i % 2 === 0 ? [viaBatcher, awaited] : [awaited, viaBatcher];
    await new Promise((r) => setTimeout(r, 5));
    await first(ids[2 * i] as string);
    await new Promise((r) => setTimeout(r, 5));
    await second(ids[2 * i + 1] as string);
  }
  await batcher.close();
  const batcherMs = median(ours);
  const awaitedCallMs = median(direct);
  return { batcherMs, awaitedCallMs, ratio: batcherMs / awaitedCallMs };
}

/**
 * The comparison benchmark: one browser, one page, every strategy on fresh objects minted for it,
 * strategies interleaved within each round, and afterwards a sample of every strategy's ids checked
 * gone. Kills the browser it launched, however it ends.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((): void => undefined);
  // Loaded first: a wrong path fails before any browser is started.
  const baseline = options.baseline === undefined ? null : await loadBaseline(options.baseline);
  const micro = options.skipMicro === true ? null : (log('no-op transport measures…'), await runMicro({ rounds: Math.max(1, options.rounds), sizes: options.microSizes, pending: options.microPending, baseline }));
  let chromium: LaunchedChromium | null = null;
  let endpoint = options.browserUrl;
  if (endpoint === undefined) {
    chromium = await launchChromium();
    options.onLaunched?.(chromium);
    endpoint = chromium.browserWSEndpoint;
  }
  const url = new URL(endpoint);
  const host = url.hostname;
  const port = Number(url.port);
  let connections: Connections | null = null;
  let targetId: string | null = null;
  try {
    const target = await CDP.New({ host, port, url: PAGE_URL });
    targetId = target.id;
    const cri = await CDP({ host, port, target: target.id });
    const raw = await RawCdpClient.connect(target.webSocketDebuggerUrl);
    const skipped: string[] = [];
    const puppeteer = await connectPuppeteer(endpoint, (line) => {
      skipped.push(line);
      log(line);
    });
    const playwright = await connectPlaywright(endpoint, (line) => {
      skipped.push(line);
      log(line);
    });
    const census = await connectThroughCensus(endpoint, (line) => {
      skipped.push(line);
      log(line);
    });
    connections = { cri, criSend: sendOf(cri), raw, rawSend: (method, params) => raw.send(method, params), puppeteer, playwright, census };
    const only = options.only;
    const strategies = strategiesFor(connections, options, baseline).filter((s) => only === undefined || only.test(`${s.client}: ${s.name}`));
    if (strategies.length === 0) throw new Error(`no strategy matches ${String(only)}`);
    const runs = new Map<Strategy, number[]>(strategies.map((s) => [s, []]));
    const syncs = new Map<Strategy, number[]>();
    for (let round = 0; round < options.rounds; round++) {
      for (const s of strategies) {
        const minted = await s.mint(options.objects);
        const t0 = process.hrtime.bigint();
        const syncMs = await s.run(minted);
        if (typeof syncMs === 'number') syncs.set(s, [...(syncs.get(s) ?? []), syncMs]);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        await minted.verify?.();
        const sample = minted.ids.filter((_, i) => i % 50 === 0);
        const check = await countAlive(s.check, sample);
        if (check.alive !== 0 || check.notFound !== sample.length) {
          throw new Error(`${s.client}, ${s.name}: ${check.alive} of ${sample.length} sampled objects still alive${check.other.length > 0 ? `; ${check.other[0] ?? ''}` : ''}`);
        }
        const rate = options.objects / seconds;
        runs.get(s)?.push(rate);
        log(`round ${round + 1}/${options.rounds}  ${s.client.padEnd(23)} ${s.name.padEnd(58)} ${Math.round(rate).toString().padStart(9)} /s`);
      }
    }
    const loneReleaseOverChrome = await loneOverChrome(cri, connections.criSend, 50);
    const navigation = puppeteer === null || (only !== undefined && !only.test('puppeteer-core: navigation')) ? null : (log(`${options.objects} queued, then a navigation…`), await measureNavigation(endpoint, options.objects));
    const partial = strategies.map((s) => ({ s, rps: summarise(runs.get(s) ?? []), sync: syncs.get(s) }));
    const best = (client: BenchClient): { window: number; releasesPerSecond: number } | undefined => {
      const windows = partial.filter((r) => r.s.client === client && r.s.kind === 'window').sort((a, b) => b.rps.median - a.rps.median);
      const top = windows[0];
      return top === undefined ? undefined : { window: top.s.window ?? 0, releasesPerSecond: top.rps.median };
    };
    // Without the raw windows (--only), ratios to the raw limit are NaN, written as null in JSON.
    const rawLimit = best('raw WebSocket') ?? { window: 0, releasesPerSecond: Number.NaN };
    const bestWindow: BenchReport['bestWindow'] = {};
    for (const client of ['chrome-remote-interface', 'puppeteer-core', 'playwright-core', 'raw WebSocket'] as const) {
      const b = best(client);
      if (b !== undefined) bestWindow[client] = b;
    }
    const results: StrategyResult[] = partial.map(({ s, rps, sync }) => ({
      strategy: s.name,
      client: s.client,
      kind: s.kind,
      ...(s.window === undefined ? {} : { window: s.window }),
      releasesPerSecond: rps,
      ...(sync === undefined ? {} : { syncMs: median(sync) }),
      ratioToRawLimit: rps.median / rawLimit.releasesPerSecond,
    }));
    const browserVersion = ((await cri.Browser.getVersion()) as { product: string }).product;
    const machine = machineOf(browserVersion);
    const censusMemory = options.skipMicro === true ? null : await measureCensusMemory();
    const report = { machine, objects: options.objects, rounds: options.rounds, results, rawLimit, bestWindow, loneReleaseOverChrome, navigation, micro, census: censusMemory, skipped };
    return { ...report, goals: goalsOf(results, report) };
  } finally {
    if (connections !== null) {
      await connections.puppeteer?.browser.disconnect().catch(() => undefined);
      await connections.census?.transport.browser.disconnect().catch(() => undefined);
      await connections.census?.relay.browser.disconnect().catch(() => undefined);
      await connections.census?.census.close().catch(() => undefined);
      await connections.playwright?.page.close().catch(() => undefined);
      await connections.playwright?.browser.close().catch(() => undefined); // over CDP: disconnects, the browser stays ours
      await connections.raw.close().catch(() => undefined);
      await connections.cri.close().catch(() => undefined);
    }
    if (targetId !== null) await CDP.Close({ host, port, id: targetId }).catch(() => undefined);
    await chromium?.close();
  }
}
