import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { installBuiltPackage } from './support/builtPackage';

/**
 * The Jest + ts-jest set-ups docs/TESTING.md shows, for a CommonJS and for an ESM project: each file
 * marked `<!-- setup: PROJECT/FILE -->` there is written as shown (`*` for both projects), the built
 * package is installed beside them, and Jest — this repository's, as a user's devDependency —
 * runs the documented test in each.
 */
const root = join(__dirname, '..');
const work = join(root, 'test-output', 'jest-setups');

function setupFiles(): { path: string; text: string }[] {
  const lines = readFileSync(join(root, 'docs', 'TESTING.md'), 'utf8').split('\n');
  const files: { path: string; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const path = /^<!-- setup: (\S+) -->$/.exec(lines[i] ?? '')?.[1];
    if (path === undefined) continue;
    const start = i + 2; // the fence follows the marker
    let end = start;
    while (lines[end] !== '```') end++;
    files.push({ path, text: lines.slice(start, end).join('\n') + '\n' });
  }
  return files;
}

describe('the Jest + ts-jest set-ups of docs/TESTING.md', () => {
  jest.setTimeout(180_000);
  const files = setupFiles();

  beforeAll(() => {
    rmSync(work, { recursive: true, force: true });
    installBuiltPackage(work); // where both projects resolve it
    for (const { path, text } of files) {
      for (const project of path.startsWith('*/') ? ['cjs', 'esm'] : [path.split('/')[0] as string]) {
        const file = join(work, project, path.replace(/^[^/]+\//, ''));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
    }
  });

  it('shows a package.json, a Jest config and a tsconfig for each project, and the test', () => {
    expect(files.map((f) => f.path).sort()).toEqual(['*/release.spec.ts', 'cjs/jest.config.js', 'cjs/package.json', 'cjs/tsconfig.json', 'esm/jest.config.cjs', 'esm/package.json', 'esm/tsconfig.jest.json']);
    expect(JSON.parse(readFileSync(join(work, 'esm', 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
  });

  it.each(['cjs', 'esm'])('runs the test in the %s project, ts-jest type-checking it', async (project) => {
    const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
    const { stdout } = await promisify(execFile)(process.execPath, [jestBin, '--ci', '--json', '--rootDir', '.'], { cwd: join(work, project), timeout: 120_000 });
    const result = JSON.parse(stdout) as { success: boolean; numPassedTests: number; numFailedTests: number };
    expect(result).toMatchObject({ success: true, numPassedTests: 1, numFailedTests: 0 });
  });

  it('a type error in the test fails it: ts-jest does check the types', async () => {
    const broken = join(work, 'cjs-broken');
    cpSync(join(work, 'cjs'), broken, { recursive: true });
    writeFileSync(join(broken, 'release.spec.ts'), readFileSync(join(broken, 'release.spec.ts'), 'utf8').replace("batcher.release(target, 'obj-1');", 'batcher.release(target, 1);'));
    const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
    const ran = await promisify(execFile)(process.execPath, [jestBin, '--ci', '--rootDir', '.'], { cwd: broken, timeout: 120_000 }).then(() => 'passed', (e: unknown) => (e as { stderr?: string }).stderr ?? '');
    expect(ran).toMatch(/TS2345/);
  });
});
