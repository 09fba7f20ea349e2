import { cpus, totalmem } from 'node:os';
import CDP from 'chrome-remote-interface';
import type { Browser, CDPSession, JSHandle, Page } from 'puppeteer-core';
import { launchChromium, type LaunchedChromium } from '../browser/launchChromium.js';
import { DEFAULT_MAX_IN_FLIGHT, ReleaseBatcher, type CdpTarget, type ClientHandle } from 'cdp-release-batcher';
import { loadBaseline, type BatcherClass, type BatcherLike } from './baseline.js';
import { fixedWindow, literalCard } from './anchors.js';
import { median, runMicro, type MicroResults } from './micro.js';
import { countAlive, mintObjects, sendOf, type SessionSend } from 'cdp-release-batcher/testing';
import { RawCdpClient } from './rawCdp.js';

export type BenchClient = 'chrome-remote-interface' | 'puppeteer-core' | 'playwright-core' | 'raw WebSocket';

/** What one strategy is, in the results. */
export type StrategyKind = 'serial' | 'all-at-once' | 'literal-card' | 'window' | 'batcher' | 'baseline' | 'handles' | 'group' | 'dispose-serial' | 'dispose-all';

export interface StrategyResult {
  strategy: string;
  client: BenchClient;
  kind: StrategyKind;
  /** Batches of 64 in flight, for the fixed windows. */
  window?: number;
  releasesPerSecond: { median: number; min: number; max: number; runs: number[] };
  /**
   * For the handle strategies: how long the call that hands the releases over held the thread before
   * returning (median ms) — `handles.map(h => h.dispose())` runs each client call's synchronous part
   * there; `release(handle)` only enqueues.
   */
  syncMs?: number;
  /** Median ÷ the per-object protocol limit measured in the same run (the best raw window). */
  ratioToRawLimit: number;
}

export interface BenchOptions {
  objects: number;
  rounds: number;
  /** Use a running browser (ws://HOST:PORT/devtools/browser/ID) instead of launching Chromium. */
  browserUrl?: string;
  /** Windows of 64 to try for the fixed-window anchors. Default 1, 2, 4, 8, 16. */
  windows?: readonly number[];
  /**
   * Another build of the library — its CommonJS entry (`dist/cjs/index.js`) or package folder — whose
   * `ReleaseBatcher` (defaults) is measured beside this one's, over the same connections in the same
   * rounds: old code against new, side by side in one run.
   */
  baseline?: string;
  /** Extra `ReleaseBatcher` variants with these `maxInFlight` values (for tuning). */
  maxInFlight?: readonly number[];
  /** Only the strategies whose `client: name` matches (the goals then cover what was measured). */
  only?: RegExp;
  /** Skip the no-op transport measures (and their ~1M-release runs). */
  skipMicro?: boolean;
  /** Sizes for the no-op measures (default 200,000 and 1,000,000; 1,000,000 pending). */
  microSizes?: readonly [number, number];
  microPending?: number;
  /** Progress lines (to stderr in the CLI). */
  log?: (line: string) => void;
  /** Told the browser this run launched (so a signal handler can kill it by pid). */
  onLaunched?: (chromium: LaunchedChromium) => void;
}

export interface BenchReport {
  machine: { cpus: number; cpu: string; memoryGiB: number; node: string; platform: string; browser: string };
  objects: number;
  rounds: number;
  results: StrategyResult[];
  /** The best raw WebSocket window: the per-object protocol limit of this run. */
  rawLimit: { window: number; releasesPerSecond: number };
  bestWindow: Partial<Record<BenchClient, { window: number; releasesPerSecond: number }>>;
  /** Lone release on an idle batcher over chrome-remote-interface vs one awaited call, medians (ms). */
  loneReleaseOverChrome: { batcherMs: number; awaitedCallMs: number; ratio: number };
  micro: MicroResults | null;
  /** The issue's goals, each with the measured value and whether it is met. */
  goals: { goal: string; target: string; measured: number; met: boolean }[];
  /** Strategies left out, and why (for example puppeteer-core not installed). */
  skipped: string[];
}

interface Minted {
  ids: string[];
  /** The client's handles of the objects (puppeteer's or playwright's), for the handle strategies. */
  handles?: ClientHandle[];
  /** Checks with Chrome that every minted object is gone, where ids are not known (playwright). */
  verify?: () => Promise<void>;
  /** The scope the ids were minted in, for the object-group strategy. */
  scope?: { guard: { dispose(): void }; batcher: ReleaseBatcher };
}

interface Strategy {
  name: string;
  client: BenchClient;
  kind: StrategyKind;
  window?: number;
  /** Mints fresh objects on the shared page for this strategy's connection. */
  mint: (n: number) => Promise<Minted>;
  /** Releases the minted objects; may report how long its synchronous part held the thread (ms). */
  run: (minted: Minted) => Promise<unknown>;
  /** The connection the objects belong to, to check they are gone. */
  check: SessionSend;
}

interface Connections {
  cri: CDP.Client;
  criSend: SessionSend;
  raw: RawCdpClient;
  rawSend: SessionSend;
  puppeteer: { browser: Browser; page: Page; session: CDPSession; send: SessionSend; pageSend: SessionSend } | null;
  playwright: PlaywrightConnection | null;
}

const PAGE_URL = 'about:blank#cdp-release-bench';

/** A client's three ways to release its handles: one by one, all at once, and through the batcher. */
function handleStrategies(client: BenchClient, mint: (n: number) => Promise<Minted>, check: SessionSend): Strategy[] {
  return [
    { name: 'JSHandle.dispose() one by one', client, kind: 'dispose-serial', mint, check, run: async ({ handles }) => { for (const h of handles ?? []) await h.dispose(); } },
    {
      name: 'Promise.all(handles.map(h => h.dispose()))',
      client,
      kind: 'dispose-all',
      mint,
      check,
      run: async ({ handles }) => {
        const t0 = performance.now();
        const disposing = (handles ?? []).map((h) => h.dispose());
        const syncMs = performance.now() - t0;
        await Promise.all(disposing);
        return syncMs;
      },
    },
    {
      name: 'ReleaseBatcher.release(handle) (defaults)',
      client,
      kind: 'handles',
      mint,
      check,
      run: async ({ handles }) => {
        const batcher = new ReleaseBatcher();
        const t0 = performance.now();
        for (const h of handles ?? []) batcher.release(h);
        const syncMs = performance.now() - t0;
        await batcher.close();
        if (batcher.stats.released !== handles?.length) throw new Error(`ReleaseBatcher released ${batcher.stats.released} of ${handles?.length ?? 0} handles`);
        return syncMs;
      },
    },
  ];
}

async function releaseAll(batcher: BatcherLike, target: CdpTarget, ids: readonly string[]): Promise<void> {
  for (const id of ids) batcher.release(target, id);
  await batcher.close();
  if (batcher.stats.released !== ids.length) throw new Error(`ReleaseBatcher released ${batcher.stats.released} of ${ids.length}`);
}

function strategiesFor(c: Connections, options: BenchOptions, baseline: BatcherClass | null): Strategy[] {
  const windows = options.windows ?? [1, 2, 4, 8, 16];
  const cri = c.cri;
  const criRelease = (objectId: string): Promise<unknown> => cri.Runtime.releaseObject({ objectId });
  const criMint = (n: number): Promise<Minted> => mintObjects(c.criSend, n, 4).then((ids) => ({ ids }));
  const batcherVariants: { label: string; kind: StrategyKind; make: () => BatcherLike }[] = [
    { label: 'ReleaseBatcher (defaults)', kind: 'batcher', make: () => new ReleaseBatcher() },
    ...(baseline === null ? [] : [{ label: 'baseline build: ReleaseBatcher (defaults)', kind: 'baseline' as const, make: () => new baseline() }]),
    ...(options.maxInFlight ?? []).map((m) => ({ label: `ReleaseBatcher maxInFlight ${m}`, kind: 'batcher' as const, make: () => new ReleaseBatcher({ maxInFlight: m }) })),
  ];
  const list: Strategy[] = [
    { name: 'await each Runtime.releaseObject', client: 'chrome-remote-interface', kind: 'serial', mint: criMint, check: c.criSend, run: async ({ ids }) => { for (const objectId of ids) await criRelease(objectId); } },
    { name: 'every release at once (Promise.all)', client: 'chrome-remote-interface', kind: 'all-at-once', mint: criMint, check: c.criSend, run: async ({ ids }) => { await Promise.all(ids.map(criRelease)); } },
    { name: 'design card: bufferCount(64) + unbounded mergeMap(forkJoin)', client: 'chrome-remote-interface', kind: 'literal-card', mint: criMint, check: c.criSend, run: ({ ids }) => literalCard(ids, criRelease) },
    ...windows.map((k): Strategy => ({ name: `64 x ${k} batches in flight`, client: 'chrome-remote-interface', kind: 'window', window: k, mint: criMint, check: c.criSend, run: ({ ids }) => fixedWindow(ids, k, criRelease) })),
    ...batcherVariants.map((v): Strategy => ({ name: v.label, client: 'chrome-remote-interface', kind: v.kind, mint: criMint, check: c.criSend, run: ({ ids }) => releaseAll(v.make(), cri, ids) })),
    {
      name: 'ReleaseScope (one Runtime.releaseObjectGroup)',
      client: 'chrome-remote-interface',
      kind: 'group',
      check: c.criSend,
      mint: async (n) => {
        const batcher = new ReleaseBatcher();
        const scope = batcher.scope(cri);
        return { ids: await mintObjects(c.criSend, n, 4, scope.objectGroup), scope: { guard: scope, batcher } };
      },
      run: async ({ scope }) => {
        if (scope === undefined) throw new Error('no scope minted');
        const { guard, batcher } = scope;
        guard.dispose();
        await batcher.close();
        if (batcher.stats.released !== 1) throw new Error('the scope was not released');
      },
    },
  ];
  const rawRelease = (objectId: string): Promise<unknown> => c.raw.send('Runtime.releaseObject', { objectId });
  const rawMint = (n: number): Promise<Minted> => mintObjects(c.rawSend, n, 4).then((ids) => ({ ids }));
  list.push(...windows.map((k): Strategy => ({ name: `raw: 64 x ${k} batches in flight`, client: 'raw WebSocket', kind: 'window', window: k, mint: rawMint, check: c.rawSend, run: ({ ids }) => fixedWindow(ids, k, rawRelease) })));
  const p = c.puppeteer;
  if (p !== null) {
    const sessionRelease = (objectId: string): Promise<unknown> => p.session.send('Runtime.releaseObject', { objectId });
    const sessionMint = (n: number): Promise<Minted> => mintObjects(p.send, n, 4).then((ids) => ({ ids }));
    const handleMint = async (n: number): Promise<Minted> => {
      const handles = await mintHandles(p.page, n);
      return { handles, ids: handles.map((h) => h.remoteObject().objectId ?? '') };
    };
    list.push(
      ...handleStrategies('puppeteer-core', handleMint, p.pageSend),
      ...windows.map((k): Strategy => ({ name: `CDPSession: 64 x ${k} batches in flight`, client: 'puppeteer-core', kind: 'window', window: k, mint: sessionMint, check: p.send, run: ({ ids }) => fixedWindow(ids, k, sessionRelease) })),
      ...batcherVariants.map((v): Strategy => ({ name: `${v.label} over CDPSession`, client: 'puppeteer-core', kind: v.kind, mint: sessionMint, check: p.send, run: ({ ids }) => releaseAll(v.make(), p.session, ids) })),
    );
  }
  const w = c.playwright;
  if (w !== null) list.push(...handleStrategies('playwright-core', (n) => mintPlaywrightHandles(w, n), w.send));
  return list;
}

/** `n` fresh objects as puppeteer JSHandles on the page's own session (what `dispose()` releases). */
async function mintHandles(page: Page, n: number): Promise<JSHandle[]> {
  const handles: JSHandle[] = [];
  while (handles.length < n) {
    const count = Math.min(1000, n - handles.length);
    const array = await page.evaluateHandle((c: number) => Array.from({ length: c }, (_, i) => ({ i, data: new Array(4).fill(i) as number[] })), count);
    const props = await array.getProperties();
    for (const [name, handle] of props) if (/^\d+$/.test(name)) handles.push(handle);
    await array.dispose();
  }
  return handles;
}

interface PlaywrightConnection {
  browser: import('playwright-core').Browser;
  page: import('playwright-core').Page;
  /** A session of its own on the page, for the heap's garbage collection only. */
  send: SessionSend;
}

/**
 * `n` fresh objects as playwright JSHandles. Playwright's handles do not show their object ids, so
 * the page keeps a `WeakRef` to each object: `verify` collects the page's garbage and checks that
 * none of them is alive any more — the release proven by its effect, in Chrome.
 */
async function mintPlaywrightHandles(w: PlaywrightConnection, n: number): Promise<Minted> {
  const handles: ClientHandle[] = [];
  await w.page.evaluate(() => {
    (globalThis as unknown as { benchRefs: WeakRef<object>[] }).benchRefs = [];
  });
  while (handles.length < n) {
    const count = Math.min(1000, n - handles.length);
    const array = await w.page.evaluateHandle((c: number) => {
      const objects = Array.from({ length: c }, (_, i) => ({ i, data: new Array(4).fill(i) as number[] }));
      const refs = (globalThis as unknown as { benchRefs: WeakRef<object>[] }).benchRefs;
      for (const o of objects) refs.push(new WeakRef(o));
      return objects;
    }, count);
    for (const [name, handle] of await array.getProperties()) if (/^\d+$/.test(name)) handles.push(handle);
    await array.dispose();
  }
  const verify = async (): Promise<void> => {
    await w.send('HeapProfiler.collectGarbage', {});
    const alive = await w.page.evaluate(() => (globalThis as unknown as { benchRefs: WeakRef<object>[] }).benchRefs.filter((r) => r.deref() !== undefined).length);
    if (alive !== 0) throw new Error(`playwright-core: ${alive} of ${n} objects still alive after the release and a garbage collection`);
  };
  return { ids: [], handles, verify };
}

async function connectPlaywright(browserWSEndpoint: string, log: (line: string) => void): Promise<PlaywrightConnection | null> {
  let chromium: (typeof import('playwright-core'))['chromium'];
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    log('playwright-core is not installed: its strategies are skipped (npm install playwright-core)');
    return null;
  }
  const browser = await chromium.connectOverCDP(browserWSEndpoint);
  const context = browser.contexts()[0];
  if (context === undefined) throw new Error('playwright-core found no browser context');
  const page = await context.newPage();
  const session = await page.context().newCDPSession(page);
  return { browser, page, send: sendOf(session) };
}

async function connectPuppeteer(browserWSEndpoint: string, log: (line: string) => void): Promise<Connections['puppeteer']> {
  let connect: (typeof import('puppeteer-core'))['connect'];
  try {
    ({ connect } = await import('puppeteer-core'));
  } catch {
    log('puppeteer-core is not installed: its strategies are skipped (npm install puppeteer-core)');
    return null;
  }
  const browser = await connect({ browserWSEndpoint, defaultViewport: null, protocolTimeout: 600_000 });
  const target = await browser.waitForTarget((t) => t.url() === PAGE_URL, { timeout: 10_000 });
  const page = await target.page();
  if (page === null) throw new Error('puppeteer-core did not find the benchmark page');
  const session = await page.createCDPSession();
  // The page's own session (the one JSHandle.dispose() uses), to check its objects are gone.
  const pageSession = (page as unknown as { _client(): CDPSession })._client();
  return { browser, page, session, send: sendOf(session), pageSend: sendOf(pageSession) };
}

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

function summarise(runs: number[]): StrategyResult['releasesPerSecond'] {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

function goalsOf(results: StrategyResult[], report: Omit<BenchReport, 'goals'>): BenchReport['goals'] {
  const rate = (client: BenchClient, kind: StrategyKind, name?: string): number =>
    results.find((r) => r.client === client && r.kind === kind && (name === undefined || r.strategy.startsWith(name)))?.releasesPerSecond.median ?? Number.NaN;
  const ours = rate('chrome-remote-interface', 'batcher', 'ReleaseBatcher (defaults)');
  const oursP = rate('puppeteer-core', 'batcher', 'ReleaseBatcher (defaults)');
  const goals: BenchReport['goals'] = [];
  const add = (goal: string, target: string, measured: number, bound: number, atMost = false): void => {
    if (Number.isNaN(measured)) return;
    goals.push({ goal, target, measured, met: atMost ? measured <= bound : measured >= bound });
  };
  add('ReleaseBatcher / awaiting each call (chrome-remote-interface)', '>= 9x', ours / rate('chrome-remote-interface', 'serial'), 9);
  add('ReleaseBatcher / literal design card (chrome-remote-interface)', '>= 4x', ours / rate('chrome-remote-interface', 'literal-card'), 4);
  add('ReleaseBatcher / best fixed window (chrome-remote-interface)', '>= 0.9x', ours / (report.bestWindow['chrome-remote-interface']?.releasesPerSecond ?? Number.NaN), 0.9);
  add('ReleaseBatcher / Promise.all(dispose()) (puppeteer-core)', '>= 1.3x', oursP / rate('puppeteer-core', 'dispose-all'), 1.3);
  add('ReleaseBatcher / best fixed window (puppeteer-core session)', '>= 0.9x', oursP / (report.bestWindow['puppeteer-core']?.releasesPerSecond ?? Number.NaN), 0.9);
  add('ReleaseBatcher.release(handle) / Promise.all(dispose()) (puppeteer-core handles)', '>= 1.0x', rate('puppeteer-core', 'handles') / rate('puppeteer-core', 'dispose-all'), 1);
  add('ReleaseBatcher.release(handle) / Promise.all(dispose()) (playwright-core handles)', '>= 1.0x', rate('playwright-core', 'handles') / rate('playwright-core', 'dispose-all'), 1);
  add('ReleaseBatcher / raw per-object limit (chrome-remote-interface)', '>= 0.75x', ours / report.rawLimit.releasesPerSecond, 0.75);
  const baselineCri = rate('chrome-remote-interface', 'baseline');
  const baselineP = rate('puppeteer-core', 'baseline');
  add('ReleaseBatcher / baseline build (chrome-remote-interface)', '>= 0.9x (no worse than noise)', ours / baselineCri, 0.9);
  add('ReleaseBatcher / baseline build (puppeteer-core session)', '>= 0.9x (no worse than noise)', oursP / baselineP, 0.9);
  add('ReleaseScope / awaiting each call', '>= 100x', rate('chrome-remote-interface', 'group') / rate('chrome-remote-interface', 'serial'), 100);
  const m = report.micro;
  if (m !== null) {
    add('CPU per release on a no-op transport / literal card', '<= 1.0x', m.cpuNsPerRelease.ratioToLiteralCard, 1, true);
    add('CPU per release at the large backlog / the small one', '<= 1.3x', m.cpuNsPerRelease.growth, 1.3, true);
    add('heap bytes per pending release', '<= 200', m.heapBytesPerPendingRelease, 200, true);
    add('CPU per release on a no-op transport / baseline build', '<= 1.1x (no worse than noise)', m.cpuNsPerRelease.ratioToBaseline ?? Number.NaN, 1.1, true);
    add('heap bytes per pending release / baseline build', '<= 1.1x', m.heapBytesPerPendingReleaseBaseline === undefined ? Number.NaN : m.heapBytesPerPendingRelease / m.heapBytesPerPendingReleaseBaseline, 1.1, true);
    add('lone release on a no-op transport settles before the next macrotask', '= 1 (yes)', m.loneRelease.settledBeforeNextMacrotask ? 1 : 0, 1);
    add('timers held by an idle batcher', '= 0', m.idle.activeTimers, 0, true);
  }
  add('lone release over Chrome / one awaited call', '<= 1.5x (one round trip)', report.loneReleaseOverChrome.ratio, 1.5, true);
  return goals;
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
    connections = { cri, criSend: sendOf(cri), raw, rawSend: (method, params) => raw.send(method, params), puppeteer, playwright };
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
    const machine = {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      browser: browserVersion,
    };
    const report = { machine, objects: options.objects, rounds: options.rounds, results, rawLimit, bestWindow, loneReleaseOverChrome, micro, skipped };
    return { ...report, goals: goalsOf(results, report) };
  } finally {
    if (connections !== null) {
      await connections.puppeteer?.browser.disconnect().catch(() => undefined);
      await connections.playwright?.page.close().catch(() => undefined);
      await connections.playwright?.browser.close().catch(() => undefined); // over CDP: disconnects, the browser stays ours
      await connections.raw.close().catch(() => undefined);
      await connections.cri.close().catch(() => undefined);
    }
    if (targetId !== null) await CDP.Close({ host, port, id: targetId }).catch(() => undefined);
    await chromium?.close();
  }
}

/** The results as a plain-text table, slowest anchors first as measured, with ratios. */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  lines.push(`${report.objects.toLocaleString('en-US')} releases per strategy, ${report.rounds} round(s); ${report.machine.cpus} cores, ${report.machine.cpu}, Node ${report.machine.node}, ${report.machine.browser}`);
  lines.push('');
  lines.push(`${'client'.padEnd(24)}${'strategy'.padEnd(60)}${'median/s'.padStart(11)}${'min'.padStart(11)}${'max'.padStart(11)}  vs raw limit`);
  for (const r of report.results) {
    lines.push(`${r.client.padEnd(24)}${r.strategy.padEnd(60)}${fmt(r.releasesPerSecond.median).padStart(11)}${fmt(r.releasesPerSecond.min).padStart(11)}${fmt(r.releasesPerSecond.max).padStart(11)}  ${Number.isNaN(r.ratioToRawLimit) ? 'n/a' : `${r.ratioToRawLimit.toFixed(2)}x`}`);
  }
  const held = report.results.filter((r) => r.syncMs !== undefined);
  if (held.length > 0) {
    lines.push('');
    lines.push('thread held while handing the releases over (median): ' + held.map((r) => `${r.client} ${r.kind === 'handles' ? 'release(handle) loop' : 'handles.map(dispose)'} ${(r.syncMs ?? 0).toFixed(1)} ms`).join('; '));
  }
  lines.push('');
  if (report.rawLimit.window > 0) lines.push(`raw per-object limit: 64 x ${report.rawLimit.window} = ${fmt(report.rawLimit.releasesPerSecond)}/s; best windows: ${Object.entries(report.bestWindow).map(([c, b]) => `${c} 64 x ${b.window}`).join(', ')}`);
  else lines.push('raw per-object limit: not measured (no raw window among the strategies run)');
  const lone = report.loneReleaseOverChrome;
  lines.push(`lone release over Chrome: batcher ${lone.batcherMs.toFixed(3)} ms vs one awaited call ${lone.awaitedCallMs.toFixed(3)} ms (${lone.ratio.toFixed(2)}x)`);
  const m = report.micro;
  if (m !== null) {
    const sizes = Object.keys(m.cpuNsPerRelease.batcher);
    lines.push(`no-op transport, CPU per release: ${sizes.map((n) => `@${Number(n).toLocaleString('en-US')} batcher ${((m.cpuNsPerRelease.batcher[n] ?? 0) / 1000).toFixed(2)} µs vs literal card ${((m.cpuNsPerRelease.literalCard[n] ?? 0) / 1000).toFixed(2)} µs`).join('; ')}`);
    const base = m.cpuNsPerRelease.baseline;
    if (base !== undefined) lines.push(`baseline build, CPU per release: ${sizes.map((n) => `@${Number(n).toLocaleString('en-US')} ${((base[n] ?? 0) / 1000).toFixed(2)} µs`).join('; ')}; heap per pending release ${(m.heapBytesPerPendingReleaseBaseline ?? 0).toFixed(0)} bytes`);
    lines.push(`heap per pending release (${m.pending.toLocaleString('en-US')} pending on a stalled target): ${m.heapBytesPerPendingRelease.toFixed(0)} bytes; lone release on a no-op transport: ${m.loneRelease.medianMicros.toFixed(1)} µs; idle batcher: ${m.idle.cpuMicrosPerSecond.toFixed(0)} µs CPU/s (process without one: ${m.idle.baselineCpuMicrosPerSecond.toFixed(0)}), ${m.idle.activeTimers} timers`);
  }
  lines.push('');
  lines.push('goals:');
  for (const g of report.goals) lines.push(`  ${g.met ? 'met    ' : 'MISSED '} ${g.goal}: ${g.measured.toFixed(g.measured >= 10 ? 0 : 2)} (${g.target})`);
  for (const s of report.skipped) lines.push(`skipped: ${s}`);
  lines.push(`(defaults: maxInFlight ${DEFAULT_MAX_IN_FLIGHT})`);
  return lines.join('\n');
}
