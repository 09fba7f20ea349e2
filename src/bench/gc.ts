import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The V8 `gc()` function, as `node --expose-gc` gives it, without needing the flag. */
export function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
