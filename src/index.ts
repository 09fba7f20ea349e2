// The whole public surface of the package root (the test kit is `cdp-release-batcher/testing`, the
// Server-Sent-Events helpers `cdp-release-batcher/events`). Everything under `internal/` is the engine.
export { ReleaseBatcher } from './ReleaseBatcher.js';
export { bufferMicrotask } from './operators/bufferMicrotask.js';
export { batchReleases } from './operators/batchReleases.js';
export type { BatchReleasesOptions } from './operators/batchReleases.js';
export type { ReleaseListener } from './listener.js';
export { releaseInto } from './operators/releaseInto.js';
export type { ReleaseInput, ReleaseSink } from './operators/releaseInto.js';
export { withRemoteObject } from './withRemoteObject.js';
export { initReleaseWorker, isReleaseWorkerInitialised, tryRelease } from './worker.js';
export { classifyReleaseError, RELEASE_OUTCOMES } from './outcome.js';
export type { ReleaseOutcome, BatchOutcome, OutcomeCounts, ErrorClassification } from './outcome.js';
export { statsBalance } from './stats.js';
export type { ReleaseStats, BatchReport, WatchedPage } from './stats.js';
export type { ReleaseRequest } from './request.js';
export { isCdpTarget } from './target.js';
export type { CdpTarget } from './target.js';
export { criSession } from './criSession.js';
export type { CdpCommand, CdpParams, CdpResult, CriClient, CriSessionTarget } from './criSession.js';
export { markTargetGone, isTargetGone } from './internal/targetLifecycle.js';
export type { ClientHandle, RemoteObjectHandle, RemoteObjectLike } from './handle.js';
export { explainClientHandle, isHandleDisposed } from './handle.js';
export type { ReleaseScope } from './scope.js';
export type { ReleaseGuardLike } from './guard.js';
export { DEFAULT_MAX_IN_FLIGHT } from './options.js';
export type { BatchOptions, ReleaseBatcherOptions } from './options.js';
