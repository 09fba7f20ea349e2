import { FlushBarrier } from '../../src/internal/flushBarrier';

const settledYet = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('FlushBarrier', () => {
  it('waits for every request entered before the flush, whatever order they leave in', async () => {
    const b = new FlushBarrier();
    const e1 = b.enter();
    const e2 = b.enter();
    const first = b.flush();
    const e3 = b.enter();
    const second = b.flush();
    b.leave(e3); // the later epoch drains first
    expect(await settledYet(second)).toBe(false);
    b.leave(e1);
    expect(await settledYet(first)).toBe(false);
    b.leave(e2);
    expect(await settledYet(first)).toBe(true);
    expect(await settledYet(second)).toBe(true);
  });

  it('ignores requests entered after the flush', async () => {
    const b = new FlushBarrier();
    const e1 = b.enter();
    const flushed = b.flush();
    b.enter();
    b.leave(e1);
    expect(await settledYet(flushed)).toBe(true);
  });
});
