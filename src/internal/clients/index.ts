import { playwrightHandleRelease } from './playwright.js';
import { puppeteerHandleRelease } from './puppeteer.js';
import type { ClientHandleRelease, NotAHandle } from './types.js';

export type { ClientHandleRelease, HandleObject, HandlePage, NotAHandle } from './types.js';

const NOT_A_HANDLE: NotAHandle = { reason: 'not a puppeteer-core or playwright-core JSHandle / ElementHandle' };

/**
 * What the batcher needs of a client's own handle, from the one adapter that knows its client
 * (puppeteer-core or playwright-core), or why it cannot be released (counted `invalid`). Never throws.
 * @internal
 */
export function inspectClientHandle(value: unknown): ClientHandleRelease | NotAHandle {
  return puppeteerHandleRelease(value) ?? playwrightHandleRelease(value) ?? NOT_A_HANDLE;
}

/** True when `value` is (or looks like) a puppeteer-core or playwright-core handle. @internal */
export function looksLikeClientHandle(value: unknown): boolean {
  return inspectClientHandle(value) !== NOT_A_HANDLE;
}

/** True when `inspected` is a handle the batcher can release. @internal */
export function isReleasableHandle(inspected: ClientHandleRelease | NotAHandle): inspected is ClientHandleRelease {
  return !('reason' in inspected);
}
