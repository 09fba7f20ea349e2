import type { CdpTarget } from '../target.js';

/**
 * The library's process-wide state: what must be one per process, not one per copy of the code.
 *
 * Why on `globalThis`: a package loaded both as ESM and as CommonJS in one process (an ESM app with a
 * CommonJS dependency that uses the library, or the reverse) is two copies of every module, so
 * module-level variables exist twice — `initReleaseWorker()` through `import` and through `require`
 * would make two workers, and a target marked gone through one copy would be unknown to the other.
 * The state is kept under a registered symbol instead, versioned in its key: copies of the same
 * layout share it, and a future copy with another layout keeps its own rather than misreading ours.
 *
 * Nothing here keeps a target alive: every collection keyed by targets or clients is weak.
 *
 * @internal
 */
export interface ProcessState {
  /** The process-wide worker of `initReleaseWorker()`, once created (a `ReleaseBatcher`; typed where it is made). */
  worker: object | null;
  /** Targets known to be gone (`markTargetGone`). */
  readonly goneTargets: WeakSet<object>;
  /** Who wants to hear when a target goes: each dispatcher lane with releases for it. */
  readonly watchers: WeakMap<object, Set<(target: CdpTarget) => void>>;
  /** chrome-remote-interface clients whose `disconnect` / crash events are already hooked. */
  readonly hookedClients: WeakSet<object>;
  /** `criSession()`'s one target per (client, sessionId). */
  readonly criSessions: WeakMap<object, Map<string, CdpTarget>>;
  /** Sockets corked until the end of the current tick. */
  readonly corked: WeakSet<object>;
  /** Scopes created in this process, for object group names unique per process. */
  scopeCount: number;
  /** Tells this process's group names from another process's on the same browser. */
  readonly processTag: string;
}

/** The key of the current layout; bump the version when {@link ProcessState} changes shape. */
const STATE_KEY = Symbol.for('cdp-release-batcher/process-state@1');

function createState(): ProcessState {
  return {
    worker: null,
    goneTargets: new WeakSet(),
    watchers: new WeakMap(),
    hookedClients: new WeakSet(),
    criSessions: new WeakMap(),
    corked: new WeakSet(),
    scopeCount: 0,
    processTag: `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`,
  };
}

const holder = globalThis as typeof globalThis & { [STATE_KEY]?: ProcessState };

/** This process's state, shared by every copy of the library loaded in it. @internal */
export const processState: ProcessState = (holder[STATE_KEY] ??= createState());
