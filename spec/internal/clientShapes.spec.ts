import { explainClientHandle, ReleaseBatcher } from '../../src/index';

/**
 * Which values the client adapters take for a handle, by shape alone. puppeteer-core: what it reads
 * of a `CdpJSHandle` (`remoteObject()`, `dispose`, `disposed`, `client.send`), what makes a value look like
 * a puppeteer handle of another version (public `remoteObject`, `asElement`, `dispose`), and where it
 * finds the handle's page (`realm.environment`). playwright-core: `_type`, `_guid`, `dispose`, the
 * connection's object map and the `_parent` chain. The real handles are in
 * spec/chromium/{puppeteer,playwright}Handles.spec.ts; these are the edges a real one does not reach.
 */
const OTHER_VERSION = /^a puppeteer-core handle without the session \(client\) and disposed flag this library knows/;
const NOT_A_HANDLE = 'not a puppeteer-core or playwright-core JSHandle / ElementHandle';

type Shape = Record<string, unknown>;
const shape = (overrides: Shape = {}): Shape => ({
  remoteObject: () => ({ objectId: 'obj-1' }),
  asElement: () => null,
  dispose: () => Promise.resolve(),
  disposed: false,
  client: { send: () => Promise.resolve({}) },
  ...overrides,
});

describe('the puppeteer-core adapter, by shape', () => {
  it('takes a value with remoteObject(), dispose(), a boolean disposed and a client that sends', () => {
    expect(explainClientHandle(shape())).toBeNull();
  });

  it.each([
    ['no client', { client: null }],
    ['a client that is not an object', { client: 'session' }],
    ['a client without send', { client: { on: () => undefined } }],
    ['a disposed flag that is not a boolean', { disposed: 'no' }],
  ])('a puppeteer-looking value with %s is a handle of another version', (_what, overrides) => {
    expect(explainClientHandle(shape(overrides))).toMatch(OTHER_VERSION);
  });

  it.each([
    ['no dispose()', { dispose: undefined }],
    ['no remoteObject()', { remoteObject: 'obj-1' }],
  ])('a value with %s is no handle at all', (_what, overrides) => {
    expect(explainClientHandle(shape(overrides))).toBe(NOT_A_HANDLE);
  });

  it('without its internals, a value needs all three public methods to look like puppeteer', () => {
    for (const missing of ['remoteObject', 'asElement', 'dispose']) {
      expect(explainClientHandle(shape({ client: null, [missing]: undefined }))).toBe(NOT_A_HANDLE);
    }
    expect(explainClientHandle(shape({ client: null }))).toMatch(OTHER_VERSION);
  });

  it.each([null, undefined, 7, 'obj-1', Symbol('h')])('%p is no handle', (value) => {
    expect(explainClientHandle(value)).toBe(NOT_A_HANDLE);
  });

  it('a remote object without an id (a primitive, or an empty id) holds nothing: released, nothing is counted or sent', async () => {
    const send = jest.fn(() => Promise.resolve({}));
    const batcher = new ReleaseBatcher();
    for (const remote of [{ objectId: '' }, { type: 'number' }]) batcher.release(shape({ remoteObject: () => remote, client: { send } }) as never);
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 0, invalid: 0 });
    expect(send).not.toHaveBeenCalled();
  });

  it('a value whose properties throw when read is a handle of another version, and says so', () => {
    const throwing = Object.defineProperty(shape(), 'disposed', { get: () => { throw new Error('no'); } });
    expect(explainClientHandle(throwing)).toBe('a puppeteer-core handle whose properties threw when read');
  });

  it('a guard whose handle cannot tell whether it was disposed takes it as disposed: nothing is sent', async () => {
    const send = jest.fn(() => Promise.resolve({}));
    let reads = 0;
    const flaky = Object.defineProperty(shape({ client: { send } }), 'disposed', {
      get: () => {
        if (++reads > 2) throw new Error('gone'); // read twice when the guard is made, then it fails
        return false;
      },
    });
    const batcher = new ReleaseBatcher();
    batcher.adopt(flaky as never).dispose();
    await batcher.close();
    expect(send).not.toHaveBeenCalled();
    expect(reads).toBeGreaterThan(2);
  });

  describe('its page, for the watched count (realm.environment: a frame, or a worker)', () => {
    const watchedByPage = (realm: unknown): unknown => {
      const batcher = new ReleaseBatcher();
      batcher.watch(shape({ realm }) as never);
      return batcher.stats.watchedByPage;
    };

    it('a frame\'s page(), a worker\'s own url(), or no page at all', () => {
      expect(watchedByPage({ environment: { page: () => ({ url: () => 'https://frame.example/' }) } })).toEqual([{ page: expect.any(Number), url: 'https://frame.example/', watched: 1 }]);
      expect(watchedByPage({ environment: { url: () => 'https://worker.example/w.js' } })).toEqual([{ page: expect.any(Number), url: 'https://worker.example/w.js', watched: 1 }]);
      const throwing = { url: () => { throw new Error('detached'); } };
      for (const realm of [undefined, {}, { environment: null }, { environment: { page: () => null } }, { environment: { page: () => ({ url: 'x' }) } }, { environment: throwing }]) {
        expect(watchedByPage(realm)).toEqual([{ page: expect.any(Number), url: '', watched: 1 }]);
      }
    });

    it('handles of no known page, on different sessions, are counted together under the url ""', () => {
      const batcher = new ReleaseBatcher();
      for (const realm of [{ environment: { page: () => null } }, { environment: null }, { environment: { page: () => ({}) } }]) batcher.watch(shape({ realm }) as never);
      expect(batcher.stats.watchedByPage).toEqual([{ page: 1, url: '', watched: 3 }]);
    });
  });
});

describe('the playwright-core adapter, by shape', () => {
  const page = { _type: 'Page', once: () => undefined };
  /** A playwright-shaped handle: `dispose` on its class, as playwright's is, registered in its connection. */
  const handle = (fields: Shape = {}, dispose: () => Promise<void> = () => Promise.resolve()): Shape => {
    class JSHandle {
      dispose(): Promise<void> {
        return dispose();
      }
    }
    const objects = new Map<string, unknown>();
    const made = Object.assign(new JSHandle(), { _type: 'JSHandle', _guid: 'handle@1', _parent: page, _connection: { _objects: objects }, ...fields });
    objects.set(made._guid, made);
    return made as unknown as Shape;
  };

  it('takes a JSHandle or ElementHandle with a _guid, dispose() and a connection\'s object map', () => {
    expect(explainClientHandle(handle())).toBeNull();
    expect(explainClientHandle(handle({ _type: 'ElementHandle' }))).toBeNull();
    expect(explainClientHandle(handle({ _type: 'Frame' }))).toBe(NOT_A_HANDLE);
  });

  it.each([
    ['a _guid that is not a string', { _guid: 7 }],
    ['an empty _guid', { _guid: '' }],
  ])('a handle with %s is a handle of another version, and says what it lacks', (_what, fields) => {
    expect(explainClientHandle(handle(fields))).toBe('a playwright-core JSHandle without the _guid / dispose() this library knows (supported: playwright-core 1.65)');
  });

  it('a handle with nothing above it (no frame, worker or page) says so', () => {
    expect(explainClientHandle(handle({ _parent: undefined }))).toBe('a playwright-core JSHandle with no frame, worker or page above it (supported: playwright-core 1.65)');
  });

  it('a handle whose properties throw when read says so', () => {
    const throwing = Object.defineProperty(handle(), '_guid', { get: () => { throw new Error('no'); } });
    expect(explainClientHandle(throwing)).toBe('a playwright-core handle whose properties threw when read');
  });

  it('a dispose() that throws instead of rejecting ends its release failed, nothing escapes', async () => {
    const batcher = new ReleaseBatcher();
    batcher.release(handle({}, () => {
      throw new Error('thrown, not rejected');
    }) as never);
    await batcher.close();
    expect(batcher.stats).toMatchObject({ enqueued: 1, failed: 1 });
  });
});
