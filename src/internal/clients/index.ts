import { inspectPlaywrightHandle } from './playwright.js';
import { inspectPuppeteerHandle } from './puppeteer.js';
import type { HandleInspection, NotAHandle } from './types.js';

export type { HandleInspection, HeldObject, HandlePage, NotAHandle } from './types.js';

const NOT_A_HANDLE: NotAHandle = { reason: 'not a puppeteer-core or playwright-core JSHandle / ElementHandle' };

/**
 * What the batcher needs of a client's own handle, from the one adapter that knows its client
 * (puppeteer-core or playwright-core), or why it cannot be released (counted `invalid`). Never throws.
 * @internal
 */
export function inspectClientHandle(value: unknown): HandleInspection | NotAHandle {
  return inspectPuppeteerHandle(value) ?? inspectPlaywrightHandle(value) ?? NOT_A_HANDLE;
}

/** True when `inspected` is a handle the batcher can release. @internal */
export function isReleasableHandle(inspected: HandleInspection | NotAHandle): inspected is HandleInspection {
  return !('reason' in inspected);
}
