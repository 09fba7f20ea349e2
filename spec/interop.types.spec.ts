/**
 * Compile-time spec: the three clients' session types are `CdpTarget`s (and a chrome-remote-interface
 * client a `CriClient`) without casts. `npm run typecheck` (and so CI) fails if any of these lines
 * stops compiling; the `@ts-expect-error` lines fail it if the types became too loose to mean anything.
 */
import type CDP from 'chrome-remote-interface';
import type { CDPSession as PlaywrightSession } from 'playwright-core';
import type { CDPSession as PuppeteerSession } from 'puppeteer-core';
import { criSession, type CriClient } from '../src/criSession';
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import { isCdpTarget, type CdpTarget } from '../src/target';

export function typeChecks(puppeteerSession: PuppeteerSession, playwrightSession: PlaywrightSession, criClient: CDP.Client): CdpTarget[] {
  const batcher = new ReleaseBatcher();
  batcher.release(puppeteerSession, 'id');
  batcher.release(playwrightSession, 'id');
  batcher.release(criClient, 'id');
  const client: CriClient = criClient;
  const session: CdpTarget = criSession(criClient, 'session-id');
  batcher.adopt(puppeteerSession, { type: 'object', objectId: 'x' }).dispose();
  batcher.scope(playwrightSession).dispose();
  // @ts-expect-error a value without send() is not a target
  batcher.release({ post: () => Promise.resolve() }, 'id');
  // @ts-expect-error send must take the release commands
  const wrong: CdpTarget = { send: (method: 'Page.navigate', params: { url: string }) => Promise.resolve({ method, params }) };
  return [puppeteerSession, playwrightSession, criClient, session, wrong, criSession(client, 'other-session')];
}

describe('interop types', () => {
  it('isCdpTarget agrees at run time with what the types allow', () => {
    expect(isCdpTarget({ send: () => Promise.resolve() })).toBe(true);
    expect(isCdpTarget({ post: () => Promise.resolve() })).toBe(false);
    expect(typeof typeChecks).toBe('function');
  });
});
