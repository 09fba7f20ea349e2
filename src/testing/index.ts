// `cdp-release-batcher/testing`: helpers for testing code that releases through the library.
// Real Chrome: prove a release by its effect, not by counters.
export { countAlive, heapAfterGc, mintObjects, sendOf } from './chromeObjects.js';
export type { AliveCount, SessionSend } from './chromeObjects.js';
// Virtual time: a fake CDP target for marble tests of a release pipeline.
export { createTestTarget, VirtualAnswer } from './testTarget.js';
export type { TestCall, TestReply, TestTarget, TestTargetOptions } from './testTarget.js';
