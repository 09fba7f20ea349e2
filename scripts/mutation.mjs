// `npm run mutation [-- stryker options]`: StrykerJS, incremental over the results kept in the
// repository as mutation/incremental.json.gz (the raw file is ~5 MB of JSON; gzipped ~0.3 MB).
// Unpacks them where Stryker reads and writes them (.tmp/mutation/incremental.json, not committed),
// runs Stryker with every option given, and packs the updated results back.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const packed = join(root, 'mutation', 'incremental.json.gz');
const unpacked = join(root, '.tmp', 'mutation', 'incremental.json');
mkdirSync(join(root, '.tmp', 'mutation'), { recursive: true });
if (existsSync(packed)) writeFileSync(unpacked, gunzipSync(readFileSync(packed)));

const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const run = spawnSync(process.execPath, [stryker, 'run', '--incrementalFile', unpacked, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });

if (existsSync(unpacked)) {
  // Node's gzip header carries no timestamp: the same results give the same bytes.
  writeFileSync(packed, gzipSync(readFileSync(unpacked), { level: 9 }));
  console.log(`mutation results kept in ${packed.replace(`${root}/`, '')}`);
}
process.exitCode = run.status ?? 1;
