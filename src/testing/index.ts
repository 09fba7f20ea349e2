// `cdp-release-batcher/testing`: helpers for testing code that releases through the library.
// Real Chrome: prove a release by its effect, not by counters.
export { countAlive, heapAfterGc, mintObjects, sendOf } from './chromeObjects.js';
export type { AliveCount, SessionSend } from './chromeObjects.js';
