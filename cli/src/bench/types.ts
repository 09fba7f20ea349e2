// What the benchmark measures and reports: its options, strategies and results.
import type { ClientHandle, ReleaseBatcher } from 'cdp-release-batcher';
import type { SessionSend } from 'cdp-release-batcher/testing';
import type { LaunchedChromium } from '../browser/launchChromium.js';
import type { CensusMemory } from './census.js';
import type { Machine } from './machine.js';
import type { MicroResults } from './micro.js';
import type { NavigationCost } from './navigation.js';

export type BenchClient = 'chrome-remote-interface' | 'puppeteer-core' | 'playwright-core' | 'raw WebSocket'
  /** puppeteer-core connected through the census's transport, or through its relay (what the census costs). */
  | 'puppeteer-core + census transport' | 'puppeteer-core + census relay';

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
  machine: Machine;
  objects: number;
  rounds: number;
  results: StrategyResult[];
  /** The best raw WebSocket window: the per-object protocol limit of this run. */
  rawLimit: { window: number; releasesPerSecond: number };
  bestWindow: Partial<Record<BenchClient, { window: number; releasesPerSecond: number }>>;
  /** Lone release on an idle batcher over chrome-remote-interface vs one awaited call, medians (ms). */
  loneReleaseOverChrome: { batcherMs: number; awaitedCallMs: number; ratio: number };
  /** 20,000 handles queued on a puppeteer-core page, then it navigates (null when not measured). */
  navigation: NavigationCost | null;
  micro: MicroResults | null;
  /** The census's own memory (null with --skip-micro). */
  census: CensusMemory | null;
  /** The benchmark's goals, each with the measured value and whether it is met. */
  goals: { goal: string; target: string; measured: number; met: boolean }[];
  /** Strategies left out, and why (for example puppeteer-core not installed). */
  skipped: string[];
}

export interface Minted {
  ids: string[];
  /** The client's handles of the objects (puppeteer's or playwright's), for the handle strategies. */
  handles?: ClientHandle[];
  /** Checks with Chrome that every minted object is gone, where ids are not known (playwright). */
  verify?: () => Promise<void>;
  /** The scope the ids were minted in, for the object-group strategy. */
  scope?: { guard: { dispose(): void }; batcher: ReleaseBatcher };
}

export interface Strategy {
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
