// Dual build: CommonJS (the package's own module type) and ESM, each folder marked with its
// own package.json so Node and TypeScript read `.js` / `.d.ts` in the right format.
// `node scripts/build.mjs [OUT]`: into OUT/cjs and OUT/esm (default `dist`, what the package ships).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = resolve(process.argv[2] ?? join(root, 'dist'));
rmSync(out, { recursive: true, force: true });
const tsc = (project, outDir) => execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, project), '--outDir', outDir], { stdio: 'inherit' });
tsc('tsconfig.build.json', join(out, 'cjs'));
tsc('tsconfig.build.esm.json', join(out, 'esm'));
for (const [dir, type] of [['cjs', 'commonjs'], ['esm', 'module']]) {
  mkdirSync(join(out, dir), { recursive: true });
  writeFileSync(join(out, dir, 'package.json'), JSON.stringify({ type }) + '\n');
}
