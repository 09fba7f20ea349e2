import { TestScheduler } from 'rxjs/testing';
import { ReleaseBatcher } from '../src/ReleaseBatcher';
import type { CdpTarget } from '../src/target';
import { collected, exposeGc } from './support/gc';
import { VirtualTarget } from './support/virtualTarget';

function promiseTarget(ms: number): CdpTarget & { ids: string[] } {
  const ids: string[] = [];
  return {
    ids,
    send: (_m: string, p: { objectId?: string; objectGroup?: string }) => {
      ids.push(p.objectId ?? p.objectGroup ?? '');
      return new Promise((resolve) => setTimeout(() => resolve({}), ms));
    },
  };
}

describe('RemoteObjectHandle (batcher.adopt)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  });

  it('dispose enqueues the release once; later calls and Symbol.dispose do nothing more', () => {
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    const handle = batcher.adopt(t, { type: 'object', objectId: 'obj-1' });
    expect(handle.objectId).toBe('obj-1');
    expect(handle.target).toBe(t);
    expect(handle.disposed).toBe(false);
    handle.dispose();
    handle.dispose();
    handle[Symbol.dispose]();
    expect(handle.disposed).toBe(true);
    testScheduler.flush();
    expect(t.ids).toEqual(['obj-1']);
    expect(batcher.stats).toMatchObject({ enqueued: 1, released: 1 });
  });

  it('accepts a bare objectId', () => {
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    batcher.adopt(t, 'obj-2').dispose();
    testScheduler.flush();
    expect(t.ids).toEqual(['obj-2']);
  });

  it('a remote object without objectId (a primitive) gives a handle whose dispose does nothing', async () => {
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    const handle = batcher.adopt(t, { type: 'number', value: 42 } as never);
    expect(handle.objectId).toBe('');
    handle.dispose();
    await handle[Symbol.asyncDispose]();
    testScheduler.flush();
    expect(t.calls).toHaveLength(0);
    expect(batcher.stats.enqueued).toBe(0);
  });

  it('bad input is counted invalid when disposed, never thrown', () => {
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    const functionWithId = Object.assign(() => undefined, { objectId: 'fn-1' }); // not a remote object
    for (const bad of [null, 42, {}, { objectId: 7 }, '', functionWithId]) {
      expect(() => batcher.adopt(t, bad as never).dispose()).not.toThrow();
    }
    expect(() => batcher.adopt(null as never, 'x').dispose()).not.toThrow();
    testScheduler.flush();
    expect(t.calls).toHaveLength(0);
    expect(batcher.stats).toMatchObject({ enqueued: 7, invalid: 7 });
  });

  it('Symbol.asyncDispose resolves when that release settled, not before', async () => {
    const t = promiseTarget(40);
    const batcher = new ReleaseBatcher();
    const handle = batcher.adopt(t, 'slow');
    let settled = false;
    const done = handle[Symbol.asyncDispose]().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(t.ids).toEqual(['slow']);
    expect(settled).toBe(false);
    await done;
    expect(batcher.stats).toMatchObject({ released: 1, inFlight: 0 });
    await expect(handle[Symbol.asyncDispose]()).resolves.toBeUndefined(); // again: already settled
  });

  it('works with `using` and `await using` as compiled for Node 20', async () => {
    const t = promiseTarget(5);
    const batcher = new ReleaseBatcher();
    {
      using a = batcher.adopt(t, 'using-1');
      expect(a.disposed).toBe(false);
    }
    expect(batcher.stats.enqueued).toBe(1);
    {
      await using b = batcher.adopt(t, 'await-using-1');
      expect(b.disposed).toBe(false);
    }
    // `await using` waited for the release itself
    expect(batcher.stats).toMatchObject({ enqueued: 2, released: 2 });
    await using closing = batcher;
    expect(closing.closed).toBe(false);
  });

  describe('trackLeaks', () => {
    /** Collects garbage until `ref` is cleared (false if it never is), then lets finalization callbacks run. */
    const collectedAndFinalized = async (ref: WeakRef<object>): Promise<boolean> => {
      const wasCollected = await collected(ref, 50);
      const gc = exposeGc();
      for (let i = 0; i < 10; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10)); // finalization callbacks run after the collection
      }
      return wasCollected;
    };
    const leakOne = (batcher: ReleaseBatcher, target: CdpTarget): void => {
      batcher.adopt(target, 'leaky'); // never disposed, no reference kept
    };

    it('releases a handle collected without dispose and counts it leaked', async () => {
      const gc = exposeGc();
      const t = promiseTarget(1);
      const batcher = new ReleaseBatcher({ trackLeaks: true });
      leakOne(batcher, t);
      const disposed = batcher.adopt(t, 'disposed');
      disposed.dispose();
      for (let i = 0; i < 50 && batcher.stats.leaked === 0; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ leaked: 1, released: 2 });
      expect(t.ids.sort()).toEqual(['disposed', 'leaky']);
    });

    it('a disposed handle is forgotten by the leak net: collected later, it is neither released again nor counted leaked', async () => {
      const t = promiseTarget(1);
      const batcher = new ReleaseBatcher({ trackLeaks: true });
      const disposeAndDrop = (): WeakRef<object> => {
        const handle = batcher.adopt(t, 'disposed');
        handle.dispose();
        return new WeakRef(handle);
      };
      const ref = disposeAndDrop();
      await batcher.flush();
      expect(await collectedAndFinalized(ref)).toBe(true); // it was collected: a leak net still holding it would have fired
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ leaked: 0, released: 1, enqueued: 1, duplicate: 0 });
      expect(t.ids).toEqual(['disposed']);
    });

    it('a handle to a primitive holds nothing: collected undisposed, it is neither released nor counted leaked', async () => {
      const t = promiseTarget(1);
      const batcher = new ReleaseBatcher({ trackLeaks: true });
      const adoptAndDrop = (): WeakRef<object> => {
        const handle = batcher.adopt(t, { type: 'number' });
        expect(handle.objectId).toBe('');
        return new WeakRef(handle);
      };
      expect(await collectedAndFinalized(adoptAndDrop())).toBe(true);
      await batcher.flush();
      expect(batcher.stats).toMatchObject({ leaked: 0, enqueued: 0, invalid: 0 });
      expect(t.ids).toEqual([]);
    });

    it('is off by default: a collected handle is neither released nor counted', async () => {
      const gc = exposeGc();
      const t = promiseTarget(1);
      const batcher = new ReleaseBatcher();
      leakOne(batcher, t);
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(batcher.stats).toMatchObject({ leaked: 0, enqueued: 0 });
      expect(t.ids).toEqual([]);
    });

    it('rejects a non-boolean trackLeaks', () => {
      expect(() => new ReleaseBatcher({ trackLeaks: 'yes' as never })).toThrow(/trackLeaks/);
    });
  });
});

describe('ReleaseScope (batcher.scope)', () => {
  it('has a unique objectGroup and releases it with one Runtime.releaseObjectGroup, once', async () => {
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const t = new VirtualTarget('t', testScheduler);
    const batcher = new ReleaseBatcher({ scheduler: testScheduler });
    const a = batcher.scope(t);
    const b = batcher.scope(t);
    expect(a.objectGroup).not.toBe(b.objectGroup);
    expect(a.target).toBe(t);
    a.dispose();
    a[Symbol.dispose]();
    testScheduler.flush();
    expect(t.calls.map((c) => [c.method, c.id])).toEqual([['Runtime.releaseObjectGroup', a.objectGroup]]);
    expect(a.disposed).toBe(true);
    expect(b.disposed).toBe(false);
    await a[Symbol.asyncDispose]();
  });

  // A second copy of the library in the same process (two bundles, two versions side by side),
  // loaded while the specs are collected rather than inside the test: a module's top level is
  // static code, and the mutation run would credit a test that re-ran it with all of it.
  let copy: typeof import('../src/ReleaseBatcher') | null = null;
  jest.isolateModules(() => {
    copy = jest.requireActual<typeof import('../src/ReleaseBatcher')>('../src/ReleaseBatcher');
  });

  it('objectGroup names are unique in the process: across batchers and across copies of the library', () => {
    const t = new VirtualTarget('t', new TestScheduler((a, b) => expect(a).toEqual(b)));
    const names = [new ReleaseBatcher().scope(t).objectGroup, new ReleaseBatcher().scope(t).objectGroup];
    if (copy === null) throw new Error('the second copy of the library did not load');
    expect(copy.ReleaseBatcher).not.toBe(ReleaseBatcher);
    names.push(new copy.ReleaseBatcher().scope(t).objectGroup);
    expect(new Set(names).size).toBe(3);
    // and tagged with this process (pid, base 36), so another process's groups on the same browser differ
    for (const name of names) expect(name).toMatch(new RegExp(`^cdp-release-scope-${process.pid.toString(36)}[0-9a-z]+-[0-9a-z]+$`));
  });

  it('await using waits for the group release', async () => {
    const t = promiseTarget(20);
    const batcher = new ReleaseBatcher();
    let group = '';
    {
      await using scope = batcher.scope(t);
      group = scope.objectGroup;
    }
    expect(t.ids).toEqual([group]);
    expect(batcher.stats).toMatchObject({ released: 1, inFlight: 0 });
  });
});
