// Dual build: CommonJS (the package's own module type) and ESM, each folder marked with its
// own package.json so Node and TypeScript read `.js` / `.d.ts` in the right format.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const tsc = (project) => execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });
tsc('tsconfig.build.json');
tsc('tsconfig.build.esm.json');
for (const [dir, type] of [['dist/cjs', 'commonjs'], ['dist/esm', 'module']]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
