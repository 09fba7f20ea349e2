import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * The package as a user installs it — built fresh by its own build script, with its manifest — in
 * `dir/node_modules/cdp-release-batcher`, where code under `dir` resolves it. Returns that folder.
 */
export function installBuiltPackage(dir: string): string {
  const pkg = join(dir, 'node_modules', 'cdp-release-batcher');
  mkdirSync(pkg, { recursive: true });
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), join(pkg, 'dist')]);
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  return pkg;
}
