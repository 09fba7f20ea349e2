import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * The ESM and the CommonJS builds loaded in one process (an ESM app with a CommonJS dependency that
 * uses the library, or the reverse) are two copies of the code; the process-wide state must be one.
 * Built fresh by the package's own build script into a scratch folder inside the repository (so
 * `rxjs` resolves as it does for the package), then probed in a plain Node process.
 */
describe('process-wide state across module formats', () => {
  let out = '';
  beforeAll(() => {
    out = mkdtempSync(join(root, '.tmp-dual-'));
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), out], { stdio: 'inherit' });
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const probe = (): Record<string, boolean> => {
    const script = `
      import { createRequire } from 'node:module';
      const esm = await import(${JSON.stringify(join(out, 'esm', 'index.js'))});
      const cjs = createRequire(import.meta.url)(${JSON.stringify(join(out, 'cjs', 'index.js'))});
      const target = { send: () => Promise.resolve({}) };
      const beforeInit = { esm: esm.isReleaseWorkerInitialised(), cjs: cjs.isReleaseWorkerInitialised() };
      const worker = esm.initReleaseWorker();
      cjs.markTargetGone(target);
      const other = { send: () => Promise.resolve({}) };
      esm.markTargetGone(other);
      const scopes = [esm, cjs, esm].map((lib) => lib.initReleaseWorker().scope(target).objectGroup);
      console.log(JSON.stringify({
        twoCopies: esm.ReleaseBatcher !== cjs.ReleaseBatcher,
        notInitialisedBefore: !beforeInit.esm && !beforeInit.cjs,
        oneWorker: cjs.initReleaseWorker() === worker && cjs.isReleaseWorkerInitialised(),
        goneSeenByEsm: esm.isTargetGone(target),
        goneSeenByCjs: cjs.isTargetGone(other),
        oneCriSession: (() => { const client = { send() {}, on() {} }; return esm.criSession(client, 's') === cjs.criSession(client, 's'); })(),
        uniqueGroups: new Set(scopes).size === scopes.length,
      }));
      await worker.close();
    `;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    return JSON.parse(stdout.trim()) as Record<string, boolean>;
  };

  it('shares one worker, one view of gone targets, one criSession per pair and one scope count', () => {
    expect(probe()).toEqual({
      twoCopies: true,
      notInitialisedBefore: true,
      oneWorker: true,
      goneSeenByEsm: true,
      goneSeenByCjs: true,
      oneCriSession: true,
      uniqueGroups: true,
    });
  });
});
