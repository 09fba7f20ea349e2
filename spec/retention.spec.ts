import { ReleaseBatcher } from '../src/ReleaseBatcher';
import type { CdpTarget } from '../src/target';
import { collected } from './support/gc';

/** Answers each release with `answer(id)`: 'ok', an error message, or 'never'. */
function makeTarget(answer: (id: string) => string): CdpTarget {
  return {
    send: (_m: string, p: { objectId?: string; objectGroup?: string }) => {
      const how = answer(p.objectId ?? p.objectGroup ?? '');
      if (how === 'never') return new Promise(() => undefined);
      return how === 'ok' ? Promise.resolve({}) : Promise.reject(new Error(how));
    },
  };
}

describe('retention', () => {
  it('does not keep a target alive once all its releases have settled, whatever their outcome', async () => {
    // 'hang' must end timedOut, every answered release must not: the timeout is far above how long an
    // answered release takes even on a loaded machine (20 ms once let an answered one time out).
    const batcher = new ReleaseBatcher({ timeoutMs: 250, maxInFlight: 2 });
    let target: CdpTarget | null = makeTarget((id) =>
      id === 'hang' ? 'never' : id === 'bad' ? 'Internal error' : id === 'old' ? 'Could not find object with given id' : 'ok');
    const ref = new WeakRef(target);
    for (const id of ['a', 'a', 'bad', 'old', 'hang', 'b', 'c']) batcher.release(target, id);
    batcher.releaseGroup(target, 'g');
    batcher.release(target, '');
    target = null;
    await batcher.flush();
    expect(batcher.stats).toMatchObject({ released: 4, failed: 1, gone: 1, timedOut: 1, duplicate: 1, invalid: 1, pending: 0, inFlight: 0 });
    expect(await collected(ref)).toBe(true);
    // the batcher itself is still alive and usable
    const other = makeTarget(() => 'ok');
    batcher.release(other, 'z');
    await batcher.close();
    expect(batcher.stats.released).toBe(5);
  });

  it('does keep a target alive while a release to it is pending (the check above can fail)', async () => {
    const batcher = new ReleaseBatcher({ timeoutMs: 5_000 });
    let target: CdpTarget | null = makeTarget(() => 'never');
    const ref = new WeakRef(target);
    batcher.release(target, 'x');
    target = null;
    expect(await collected(ref, 3)).toBe(false);
    expect(batcher.stats.inFlight).toBe(1);
  });
});
