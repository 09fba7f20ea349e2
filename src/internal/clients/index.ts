import type { CdpTarget } from '../../target.js';
import { criDirectSend } from './criWire.js';
import type { DirectSend } from './directWire.js';
import { inspectPlaywrightHandle } from './playwright.js';
import { inspectPuppeteerHandle } from './puppeteer.js';
import { puppeteerDirectSend } from './puppeteerWire.js';
import type { HandleInspection, NotAHandle } from './types.js';

export type { DirectSend } from './directWire.js';
export { tapCriWire, type CriWireTap } from './criWire.js';

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

/**
 * A send straight onto the client's own wire for `target` (a chrome-remote-interface client or
 * `criSession()`, a puppeteer-core `CDPSession`), or null: the target's own `send` is used. Never throws.
 * @internal
 */
export function directSendOf(target: CdpTarget): DirectSend | null {
  return criDirectSend(target) ?? puppeteerDirectSend(target);
}
