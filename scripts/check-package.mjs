// Packs the library as npm would publish it and checks what a user gets: the tarball holds the
// library only (no command line, demo, bench or launcher code) plus every file its README links;
// runtime dependencies are what the published code imports; a fresh `npm i <tarball> rxjs` brings at
// most the library, rxjs, tslib and devtools-protocol; `require` and `import` see the whole public
// surface with types; and both module formats loaded in one process share one process-wide state.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'cdp-release-pack-'));
const fail = (message) => {
  console.error(`check:package: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
};
const run = (cmd, args, cwd) => {
  try {
    return execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  } catch (e) {
    return fail(`${cmd} ${args.join(' ')} failed:\n${e.stdout?.toString() ?? ''}`);
  }
};
const sameList = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

// 1. The manifest: what the published code imports, and nothing of the command line.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (!sameList(Object.keys(pkg.dependencies ?? {}), ['devtools-protocol'])) {
  fail(`dependencies must be exactly devtools-protocol (its types are in the published .d.ts), got ${JSON.stringify(pkg.dependencies)}`);
}
if (!sameList(Object.keys(pkg.peerDependencies ?? {}), ['rxjs', 'ws', '@opentelemetry/api'])) fail(`peerDependencies must be exactly rxjs, ws (optional, for the census relay) and @opentelemetry/api (optional, for cdp-release-batcher/otel), got ${JSON.stringify(pkg.peerDependencies)}`);
if (pkg.peerDependenciesMeta?.ws?.optional !== true || pkg.peerDependenciesMeta?.['@opentelemetry/api']?.optional !== true || pkg.peerDependenciesMeta?.rxjs?.optional === true) fail('ws and @opentelemetry/api must be optional peer dependencies, rxjs a required one');
if (pkg.bin !== undefined) fail('the library has no bin: cdp-release belongs to the command-line package (cli/)');

const expected = ['ReleaseBatcher', 'bufferMicrotask', 'batchReleases', 'initReleaseWorker', 'isReleaseWorkerInitialised', 'tryRelease', 'criSession', 'withRemoteObject', 'releaseInto', 'classifyReleaseError', 'markTargetGone', 'isTargetGone', 'explainClientHandle', 'isHandleDisposed', 'statsBalance', 'RemoteObjectCensus', 'auditHeldObjects'];
try {
  // 2. The tarball's contents.
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root));
  const files = packed.files.map((f) => f.path);
  const allowed = /^(package\.json|README\.md|LICENSE|testing\/package\.json|events\/package\.json|otel\/package\.json|docs\/[^/]+\.(md|png)|dist\/(cjs|esm)\/(package\.json|((internal|operators|testing)\/([a-z]+\/)?)?[^/]+\.(js|d\.ts)(\.map)?))$/;
  const unexpected = files.filter((f) => !allowed.test(f));
  if (unexpected.length > 0) fail(`the tarball holds files that are not the library:\n  ${unexpected.join('\n  ')}`);
  const appCode = files.filter((f) => /\/(cli|demo|bench|browser)\//.test(f));
  if (appCode.length > 0) fail(`the tarball holds command-line code:\n  ${appCode.join('\n  ')}`);
  // Every relative link or image of the README resolves inside the tarball.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((href) => !/^[a-z]+:/i.test(href));
  const missing = links.filter((href) => !files.includes(href.replace(/^\.\//, '')));
  if (missing.length > 0) fail(`README links files the tarball does not hold: ${missing.join(', ')}`);
  console.log(`tarball ok: ${files.length} files, ${(packed.size / 1024).toFixed(0)} KB packed, ${links.length} README links resolve`);

  // 3. What a fresh install brings.
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  run('npm', ['install', '--silent', '--no-audit', '--no-fund', join(work, packed.filename), 'rxjs@^7.8.0'], work);
  const installed = readdirSync(join(work, 'node_modules')).filter((d) => !d.startsWith('.'));
  const extra = installed.filter((d) => !['cdp-release-batcher', 'rxjs', 'tslib', 'devtools-protocol'].includes(d));
  if (extra.length > 0) fail(`npm i <tarball> rxjs brought more than the library, rxjs, tslib and devtools-protocol: ${extra.join(', ')}`);
  console.log(`install ok: ${installed.join(', ')}`);

  // 4. Both module formats, and one process-wide state when both are loaded in one process.
  const names = JSON.stringify(expected);
  const cjs = `const lib = require('cdp-release-batcher'); const missing = ${names}.filter((n) => typeof lib[n] !== 'function'); if (missing.length) { console.error('require: missing ' + missing); process.exit(1); } const b = new lib.ReleaseBatcher(); b.release({ send: () => Promise.resolve({}) }, 'x'); b.close().then(() => console.log('require ok', JSON.stringify(b.stats)));`;
  const esm = `import * as lib from 'cdp-release-batcher'; const missing = ${names}.filter((n) => typeof lib[n] !== 'function'); if (missing.length) { console.error('import: missing ' + missing); process.exit(1); } console.log('import ok');`;
  const dual = `import { createRequire } from 'node:module'; import * as esm from 'cdp-release-batcher'; const cjs = createRequire(import.meta.url)('cdp-release-batcher');
if (esm.ReleaseBatcher === cjs.ReleaseBatcher) { console.error('expected two copies of the code (ESM and CommonJS)'); process.exit(1); }
const worker = esm.initReleaseWorker(); const target = { send: () => Promise.resolve({}) }; cjs.markTargetGone(target);
if (cjs.initReleaseWorker() !== worker || !cjs.isReleaseWorkerInitialised() || !esm.isTargetGone(target)) { console.error('ESM and CommonJS do not share one worker and one view of gone targets'); process.exit(1); }
await worker.close(); console.log('one process-wide state for ESM and CommonJS');`;
  process.stdout.write(run('node', ['-e', cjs], work));
  // Without the optional peer installed, the library loads and only the relay says what it needs.
  const noWs = `const lib = require('cdp-release-batcher'); if (Object.keys(require.cache).some((p) => p.includes('/node_modules/ws/'))) { console.error('the root entry loaded ws'); process.exit(1); } const census = new lib.RemoteObjectCensus(); census.relay('ws://127.0.0.1:9/devtools/browser/x').then(() => process.exit(1), (e) => { if (!/optional peer dependency "ws"/.test(e.message)) { console.error('relay without ws: ' + e.message); process.exit(1); } console.log('without ws: the library loads, census.relay names the missing peer'); });`;
  process.stdout.write(run('node', ['-e', noWs], work));
  process.stdout.write(run('node', ['--input-type=module', '-e', esm], work));
  process.stdout.write(run('node', ['--input-type=module', '-e', dual], work));
  const kit = ['countAlive', 'heapAfterGc', 'mintObjects', 'sendOf'];
  const kitCheck = () => `const missing = ${JSON.stringify(kit)}.filter((n) => typeof kit[n] !== 'function'); if (missing.length) { console.error('cdp-release-batcher/testing: missing ' + missing); process.exit(1); }`;
  process.stdout.write(run('node', ['-e', `const kit = require('cdp-release-batcher/testing'); ${kitCheck()} console.log('require cdp-release-batcher/testing ok');`], work));
  process.stdout.write(run('node', ['--input-type=module', '-e', `import * as kit from 'cdp-release-batcher/testing'; ${kitCheck()} console.log('import cdp-release-batcher/testing ok');`], work));
  const eventsCheck = "if (typeof events.releaseEvents !== 'function' || typeof events.toServerSentEvents !== 'function') { console.error('cdp-release-batcher/events: missing releaseEvents / toServerSentEvents'); process.exit(1); }";
  process.stdout.write(run('node', ['-e', `const events = require('cdp-release-batcher/events'); ${eventsCheck} console.log('require cdp-release-batcher/events ok');`], work));
  process.stdout.write(run('node', ['--input-type=module', '-e', `import * as events from 'cdp-release-batcher/events'; ${eventsCheck} console.log('import cdp-release-batcher/events ok');`], work));

  // The OpenTelemetry subpath: the root entry never loads its peer; without the peer, the subpath
  // names it; with it, both module systems see instrumentBatcher and instrumentCensus.
  const noOtel = `const lib = require('cdp-release-batcher'); if (Object.keys(require.cache).some((p) => p.includes('/@opentelemetry/'))) { console.error('the root entry loaded @opentelemetry/api'); process.exit(1); } try { require('cdp-release-batcher/otel'); console.error('cdp-release-batcher/otel loaded without @opentelemetry/api'); process.exit(1); } catch (e) { if (!String(e.message).includes('@opentelemetry/api')) { console.error('otel without its peer: ' + e.message); process.exit(1); } } console.log('without @opentelemetry/api: the library loads, cdp-release-batcher/otel names the missing peer');`;
  process.stdout.write(run('node', ['-e', noOtel], work));
  run('npm', ['install', '--silent', '--no-audit', '--no-fund', `@opentelemetry/api@${JSON.parse(readFileSync(join(root, 'node_modules/@opentelemetry/api/package.json'), 'utf8')).version}`], work);
  const otelCheck = "if (typeof otel.instrumentBatcher !== 'function' || typeof otel.instrumentCensus !== 'function') { console.error('cdp-release-batcher/otel: missing instrumentBatcher / instrumentCensus'); process.exit(1); }";
  process.stdout.write(run('node', ['-e', `const otel = require('cdp-release-batcher/otel'); ${otelCheck} console.log('require cdp-release-batcher/otel ok');`], work));
  process.stdout.write(run('node', ['--input-type=module', '-e', `import * as otel from 'cdp-release-batcher/otel'; ${otelCheck} console.log('import cdp-release-batcher/otel ok');`], work));

  // 5. Types, from both module systems.
  run('npm', ['install', '--silent', '--no-audit', '--no-fund', '@types/node@20', `typescript@${JSON.parse(readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8')).version}`], work);
  writeFileSync(join(work, 'check.mts'), `import { ReleaseBatcher, type ReleaseStats, type CdpTarget } from 'cdp-release-batcher';\nimport { countAlive, type AliveCount } from 'cdp-release-batcher/testing';\nimport { instrumentBatcher } from 'cdp-release-batcher/otel';\nexport const stop: () => void = instrumentBatcher(new ReleaseBatcher());\nexport const alive: (ids: string[]) => Promise<AliveCount> = (ids) => countAlive(async () => ({}), ids);\nconst t: CdpTarget = { send: async () => ({}) };\nconst s: ReleaseStats = new ReleaseBatcher({ maxBatch: 8 }).stats;\nnew ReleaseBatcher().release(t, 'id');\nexport { s };\n`);
  writeFileSync(join(work, 'check.cts'), `import lib = require('cdp-release-batcher');\nconst s: lib.ReleaseStats = new lib.ReleaseBatcher().stats;\nexport = s;\n`);
  run('node', ['node_modules/typescript/bin/tsc', '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,esnext.disposable', '--types', 'node', 'check.mts', 'check.cts'], work);
  console.log('types ok (ESM and CJS)');
} catch (e) {
  if (process.exitCode !== 1) throw e;
} finally {
  rmSync(work, { recursive: true, force: true });
}
