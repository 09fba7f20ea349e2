/**
 * Compile-time spec: the three clients' session types are `CdpTarget`s (and a chrome-remote-interface
 * client a `CriClient`) without casts. `spec/compileTime.spec.ts` type-checks this file in `npm test`
 * (as does `npm run typecheck`): it fails if any of these lines stops compiling, and the
 * `@ts-expect-error` lines fail it if the types became too loose to mean anything.
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

/** criSession's send is typed for every CDP command (devtools-protocol's ProtocolMapping): the README's crawler, no cast. */
export async function typedSend(criClient: CDP.Client): Promise<string | undefined> {
  const page = criSession(criClient, 'session-id');
  const { result } = await page.send('Runtime.evaluate', { expression: 'document.links' });
  const objectId: string | undefined = result.objectId;
  await page.send('Page.enable'); // no parameters
  const { result: props } = await page.send('Runtime.getProperties', { objectId: objectId ?? '', ownProperties: true });
  // @ts-expect-error a parameter the command does not have
  await page.send('Runtime.evaluate', { expresion: 'typo' });
  // @ts-expect-error not a CDP command
  await page.send('Runtime.evaluateEverything', {});
  return props[0]?.value?.objectId;
}

describe('interop types', () => {
  it('isCdpTarget agrees at run time with what the types allow', () => {
    expect(isCdpTarget({ send: () => Promise.resolve() })).toBe(true);
    expect(isCdpTarget({ post: () => Promise.resolve() })).toBe(false);
  });
});
