// Which targets are gone, process-wide: the public half of `internal/targetLifecycle.ts` (where the
// lanes' watches on targets live beside it).
export { isTargetGone, markTargetGone } from './internal/targetLifecycle.js';
