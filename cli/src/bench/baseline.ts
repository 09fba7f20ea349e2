import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReleaseBatcher, type CdpTarget, type ReleaseBatcherOptions, type ReleaseStats } from 'cdp-release-batcher';

/** What the benchmark needs of a batcher: this build's `ReleaseBatcher`, or a baseline build's. */
export interface BatcherLike {
  release(target: CdpTarget, objectId: string): void;
  forget(target: CdpTarget): void;
  close(): Promise<void>;
  readonly stats: ReleaseStats;
}
export type BatcherClass = new (options?: ReleaseBatcherOptions) => BatcherLike;

/** The `ReleaseBatcher` class of another build of the library (see {@link BenchOptions.baseline}). */
export async function loadBaseline(path: string): Promise<BatcherClass> {
  const loaded = (await import(pathToFileURL(resolve(path)).href)) as { ReleaseBatcher?: unknown; default?: { ReleaseBatcher?: unknown } };
  const batcher = loaded.ReleaseBatcher ?? loaded.default?.ReleaseBatcher;
  if (typeof batcher !== 'function') throw new Error(`--baseline ${path}: no ReleaseBatcher exported there (give a build's dist/cjs/index.js)`);
  if (batcher === ReleaseBatcher) throw new Error(`--baseline ${path}: that is this build itself`);
  return batcher as BatcherClass;
}

