import { exposeGc, heapUsedAfterGc } from '../../src/bench/gc';

export { exposeGc, heapUsedAfterGc };

/** Collects garbage until `ref` is cleared, up to `rounds` times; true if it was collected. */
export async function collected(ref: WeakRef<object>, rounds = 10): Promise<boolean> {
  const gc = exposeGc();
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}
