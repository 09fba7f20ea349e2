// Packs the library as npm would publish it, installs the tarball into a fresh project, and
// checks that both `require` and `import` see the whole public surface, with types.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'cdp-release-pack-'));
const run = (cmd, args, cwd) => {
  try {
    return execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  } catch (e) {
    console.error(`${cmd} ${args.join(' ')} failed:\n${e.stdout?.toString() ?? ''}`);
    process.exit(1);
  }
};
const expected = ['ReleaseBatcher', 'bufferMicrotask', 'batchReleases', 'initReleaseWorker', 'isReleaseWorkerInitialised', 'tryRelease', 'criSession', 'withRemoteObject', 'releaseInto', 'classifyReleaseError', 'markTargetGone'];
try {
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], root).trim().split('\n').pop();
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  run('npm', ['install', '--silent', '--no-audit', '--no-fund', join(work, tarball), 'rxjs@^7.8.0', '@types/node@20', `typescript@${JSON.parse(run('node', ['-p', 'JSON.stringify(require("./node_modules/typescript/package.json").version)'], root))}`], work);
  const names = JSON.stringify(expected);
  const cjs = `const lib = require('cdp-release-batcher'); const missing = ${names}.filter((n) => typeof lib[n] !== 'function'); if (missing.length) { console.error('require: missing ' + missing); process.exit(1); } const b = new lib.ReleaseBatcher(); b.release({ send: () => Promise.resolve({}) }, 'x'); b.close().then(() => console.log('require ok', JSON.stringify(b.stats)));`;
  const esm = `import * as lib from 'cdp-release-batcher'; const missing = ${names}.filter((n) => typeof lib[n] !== 'function'); if (missing.length) { console.error('import: missing ' + missing); process.exit(1); } console.log('import ok');`;
  process.stdout.write(run('node', ['-e', cjs], work));
  process.stdout.write(run('node', ['--input-type=module', '-e', esm], work));
  // Types, from both module systems.
  writeFileSync(join(work, 'check.mts'), `import { ReleaseBatcher, type ReleaseStats, type CdpTarget } from 'cdp-release-batcher';\nconst t: CdpTarget = { send: async () => ({}) };\nconst s: ReleaseStats = new ReleaseBatcher({ maxBatch: 8 }).stats;\nnew ReleaseBatcher().release(t, 'id');\nexport { s };\n`);
  writeFileSync(join(work, 'check.cts'), `import lib = require('cdp-release-batcher');\nconst s: lib.ReleaseStats = new lib.ReleaseBatcher().stats;\nexport = s;\n`);
  run('node', ['node_modules/typescript/bin/tsc', '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,esnext.disposable', '--types', 'node', 'check.mts', 'check.cts'], work);
  console.log('types ok (ESM and CJS)');
  // The command line, as installed from the tarball.
  const help = run(join(work, 'node_modules', '.bin', 'cdp-release'), ['demo', '--help'], work);
  if (!help.includes('--pages') || !help.includes('--no-release')) {
    console.error(`cdp-release demo --help did not document its options:\n${help}`);
    process.exit(1);
  }
  console.log('bin ok (cdp-release demo --help)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
