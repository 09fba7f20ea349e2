import type { BatchOutcome } from './outcome.js';
import type { BatchReport } from './stats.js';
import type { CdpTarget } from './target.js';

/**
 * The `node:diagnostics_channel` channels the library publishes on, by event. A message is built and
 * published only while its channel `hasSubscribers`: a process that subscribes to none pays one
 * boolean check per event and allocates nothing for it.
 *
 * Channels are process-wide by name, so a subscriber sees every batcher of the process (ESM and
 * CommonJS copies alike); each message names its batcher.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * import { CHANNELS, type ReleaseSettledMessage } from 'cdp-release-batcher';
 *
 * subscribe(CHANNELS.release, (message) => {
 *   const m = message as ReleaseSettledMessage;
 *   if (m.outcome === 'failed') console.warn(`release of ${m.id} failed: ${m.error}`);
 * });
 * ```
 */
export const CHANNELS = Object.freeze({
  /** A release call of a batch settled: {@link ReleaseSettledMessage}. */
  release: 'cdp-release-batcher:release',
  /** A batch settled (its last call did): {@link BatchSettledMessage}. */
  batch: 'cdp-release-batcher:batch',
  /** A handle was garbage-collected undisposed; its objects are being released: {@link LeakMessage}. */
  leak: 'cdp-release-batcher:leak',
  /** A target was marked gone (closed, crashed, its connection cut): {@link TargetGoneMessage}. */
  targetGone: 'cdp-release-batcher:target-gone',
});

/** The release call a {@link ReleaseSettledMessage} is about. */
export type ReleaseMethod = 'Runtime.releaseObject' | 'Runtime.releaseObjectGroup';

/**
 * On {@link CHANNELS.release}: one release call of a batch, settled — sent and answered, or ended
 * unsent. Releases counted at the door (`invalid`, `duplicate`, `dropped` after `close()`) never join
 * a batch and show only in the stats.
 */
export interface ReleaseSettledMessage {
  /** The batcher that released it; `null` for the `batchReleases` operator. */
  readonly batcher: object | null;
  readonly target: CdpTarget;
  readonly method: ReleaseMethod;
  /** The object id (`Runtime.releaseObject`) or the object group (`Runtime.releaseObjectGroup`). */
  readonly id: string;
  readonly outcome: BatchOutcome;
  /** It was sent (else it ended unsent: `dropped`, or `gone` for a context known destroyed). */
  readonly sent: boolean;
  /**
   * Milliseconds from the call's send to its answer (or its timeout), apart from any time it waited
   * for a slot; `null` when unsent, or when it was sent before anyone subscribed to this channel.
   */
  readonly durationMs: number | null;
  /**
   * Why it did not end `released`: Chrome's or the client's error message (`failed`, `gone`), or the
   * library's reason (`timedOut`, an unsent `gone` or `dropped`). `null` when released.
   */
  readonly error: string | null;
}

/** On {@link CHANNELS.batch}: a batch whose last call settled (the report `batches$` emits). */
export interface BatchSettledMessage {
  /** The batcher; `null` for the `batchReleases` operator. */
  readonly batcher: object | null;
  readonly report: BatchReport;
}

/** On {@link CHANNELS.leak}: a handle collected without dispose (`trackLeaks`, `watch`). */
export interface LeakMessage {
  readonly batcher: object;
  /** Remote objects it held, each now released (and counted) like any other release. */
  readonly objects: number;
}

/** On {@link CHANNELS.targetGone}: a target marked gone, process-wide. */
export interface TargetGoneMessage {
  readonly target: CdpTarget;
}
