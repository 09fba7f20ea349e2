import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The V8 `gc()` function, as `node --expose-gc` gives it, without needing the flag on Jest. */
export function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

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
