import type { HandlePage } from './types.js';

/** One record per page key, for every client: the per-page count finds its page by identity. */
const records = new WeakMap<object, HandlePage>();

/**
 * The {@link HandlePage} of `key` (a puppeteer page session, a playwright Page): made once, reading
 * `page.url()` when asked (`''` if that throws), and `whenClosed` when the client disposes a closed
 * page's handles itself. @internal
 */
export function pageRecord(key: object, page: { url(): string }, whenClosed?: (listener: () => void) => void): HandlePage {
  let record = records.get(key);
  if (record === undefined) {
    record = {
      key,
      url: () => {
        try {
          return page.url();
        } catch {
          return '';
        }
      },
      ...(whenClosed === undefined ? {} : { whenClosed }),
    };
    records.set(key, record);
  }
  return record;
}
