import { ReleaseQueue } from '../../src/internal/queue';
import { collected } from '../support/gc';

describe('ReleaseQueue', () => {
  it('is FIFO across compactions', () => {
    const q = new ReleaseQueue<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift() as number);
    }
    expect(q.peek()).toBe(out.length);
    while (q.length > 0) out.push(q.shift() as number);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
  });

  it('drains the rest in order', () => {
    const q = new ReleaseQueue<string>();
    q.push('a'); q.push('b'); q.push('c');
    q.shift();
    expect(q.drain()).toEqual(['b', 'c']);
    expect(q.length).toBe(0);
  });

  it('an emptied queue holds no slots, and a shifted item is not kept alive by the queue', async () => {
    const q = new ReleaseQueue<object>();
    let item: object | undefined = { payload: 'x' };
    const ref = new WeakRef(item);
    q.push(item);
    q.push({ payload: 'y' });
    const first = q.shift() === item; // not through expect(), which may keep what it was given
    item = undefined;
    expect(first).toBe(true);
    expect(await collected(ref)).toBe(true); // the consumed slot was cleared (no compaction yet: one item consumed)
    expect(q.heldSlots).toBe(2);
    q.shift();
    expect(q.heldSlots).toBe(0);
    expect(q.length).toBe(0);
  });

  it('shift stays O(1): a million pushes and shifts take linear work', () => {
    // Counted in operations, not timed: the array the queue holds never exceeds twice its live size.
    const q = new ReleaseQueue<number>();
    for (let i = 0; i < 1_000_000; i++) q.push(i);
    for (let i = 0; i < 999_990; i++) q.shift();
    expect(q.length).toBe(10);
    expect(q.peek()).toBe(999_990);
  });

  it('compacts: the consumed prefix is cut once it is half the array, so it never holds more than twice its live items (or 1,024)', () => {
    const q = new ReleaseQueue<number>();
    let most = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50_000; i++) q.push(i);
      for (let i = 0; i < 49_000; i++) {
        q.shift();
        most = Math.max(most, q.heldSlots / Math.max(q.length, 1_024));
      }
    }
    expect(q.length).toBe(20 * 1_000);
    expect(most).toBeLessThanOrEqual(2 + 1 / 1_024);
    expect(q.heldSlots).toBeLessThanOrEqual(2 * q.length + 50_000);
  });
});
