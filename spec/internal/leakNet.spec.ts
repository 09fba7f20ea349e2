import type { HandleInspection } from '../../src/internal/clients';
import { ReleaseCounters } from '../../src/internal/counters';
import { LeakNet } from '../../src/internal/leakNet';
import type { CdpTarget } from '../../src/target';
import { collected } from '../support/gc';

const target: CdpTarget = { send: () => Promise.resolve() };
/** Made out here: the net keeps the page record, which must not reach the handle's listener. */
const page = { key: target, url: () => 'https://example.test/' };

/** What an adapter would say of a client's handle; `dispose()` tells the net's listener. */
function inspection(options: { heldByClient?: boolean; alreadyDisposed?: boolean; objects?: number } = {}): HandleInspection & { dispose(): void } {
  let listener: (() => void) | null = null;
  return {
    objects: Array.from({ length: options.objects ?? 1 }, (_, i) => ({ target, objectId: `o${i}` })),
    alreadyDisposed: options.alreadyDisposed ?? false,
    heldByClient: options.heldByClient ?? false,
    page: () => page,
    disposedNow: () => false,
    markDisposed: () => undefined,
    onDisposed: (l) => (listener = l),
    dispose: () => listener?.(),
  };
}

function net(): { net: LeakNet; counters: ReleaseCounters; released: string[]; changes: number[] } {
  const counters = new ReleaseCounters();
  const released: string[] = [];
  const changes: number[] = [];
  const leakNet = new LeakNet({ batcher: {}, counters, changed: () => changes.push(counters.watched.total), release: (_t, id) => released.push(id) });
  return { net: leakNet, counters, released, changes };
}

describe('LeakNet', () => {
  it('counts a watched handle once, per page, until it is disposed', () => {
    const { net: leakNet, counters, changes } = net();
    const handle = {};
    const client = inspection({ heldByClient: true });
    leakNet.watch(handle, client);
    leakNet.watch(handle, client);
    expect(counters.snapshot()).toMatchObject({ watched: 1, watchedByPage: [{ url: 'https://example.test/', watched: 1 }] });
    client.dispose();
    expect(counters.snapshot()).toMatchObject({ watched: 0, watchedByPage: [] });
    expect(changes).toEqual([1, 0]);
  });

  it('leaves alone a handle disposed already or holding nothing', () => {
    const { net: leakNet, counters, changes } = net();
    leakNet.watch({}, inspection({ alreadyDisposed: true }));
    leakNet.watch({}, inspection({ objects: 0 }));
    expect(counters.watched.total).toBe(0);
    expect(changes).toEqual([]);
  });

  it('releases the objects of a watched handle collected undisposed, and counts it leaked', async () => {
    const { net: leakNet, counters, released } = net();
    let handle: object | null = {};
    const ref = new WeakRef(handle);
    leakNet.watch(handle, inspection({ objects: 2 }));
    handle = null;
    expect(await collected(ref)).toBe(true);
    for (let i = 0; i < 20 && released.length < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual(['o0', 'o1']);
    expect(counters.snapshot()).toMatchObject({ leaked: 1, watched: 0 });
  });

  it('forgets a tracked handle once disposed: collected later, nothing is released', async () => {
    const { net: leakNet, counters, released } = net();
    let kept: object | null = {};
    let dropped: object | null = {};
    const refs = [new WeakRef(kept), new WeakRef(dropped)];
    leakNet.track(kept, target, 'kept');
    leakNet.track(dropped, target, 'dropped');
    leakNet.disposed(kept);
    kept = null;
    dropped = null;
    expect(await collected(refs[0]!)).toBe(true);
    expect(await collected(refs[1]!)).toBe(true);
    for (let i = 0; i < 20 && released.length < 1; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual(['dropped']);
    expect(counters.leaked).toBe(1);
  });
});
