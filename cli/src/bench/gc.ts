import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The V8 `gc()` function, as `node --expose-gc` gives it, without needing the flag. */
export function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** `process.memoryUsage().heapUsed` after a few full collections, each after a turn of the event loop. */
export async function heapUsedAfterGc(rounds = 4): Promise<number> {
  const gc = exposeGc();
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return process.memoryUsage().heapUsed;
}
