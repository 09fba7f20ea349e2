import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The command-line package's folder. */
const cliRoot = join(__dirname, '..', '..');

/** The TMPDIRs made for the runs of the current spec file, removed after it (with what the runs left in them). */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface Ran { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/**
 * Runs the real command (the `cdp-release` bin, compiled) with its own TMPDIR, so the Chromium it launches
 * can be recognised by its profile path afterwards. `during` may act on the running process.
 */
export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; during?: (child: ReturnType<typeof spawn>, output: () => string, tmp: string) => void } = {}): Promise<Ran & { tmp: string }> {
  const tmp = mkdtempSync(join(tmpdir(), 'cdp-release-cli-'));
  made.push(tmp);
  const child = spawn(process.execPath, [join(cliRoot, 'bin', 'cdp-release.js'), ...args], {
    cwd: cliRoot,
    env: { ...process.env, TMPDIR: tmp, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  opts.during?.(child, () => stdout + stderr, tmp);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, tmp }));
  });
}

/** The command lines of the running processes (not zombies), as `ps -eo stat=,args=` prints them. */
export function liveProcesses(): string[] {
  const out = execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => !l.trim().startsWith('Z'));
}

/** Chromium processes (not zombies) whose command line holds `path`. */
export function chromiumUnder(path: string): string[] {
  return liveProcesses().filter((l) => l.includes(path) && /chrom/i.test(l));
}

/** Polls `check` every `everyMs` until it holds or `ms` have passed. */
export const waitFor = async (check: () => boolean, ms: number, everyMs = 100): Promise<void> => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, everyMs));
};

