import { spawn } from 'node:child_process';
import { join } from 'node:path';

describe('an idle batcher', () => {
  it('lets its process exit by itself', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', join(__dirname, 'fixtures', 'idleBatcher.ts')], {
      cwd: join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = await new Promise<number | 'hung'>((resolve) => {
      // Generous bound (ts-node compiles first): a hang, not speed, is what this catches.
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('hung'); }, 20_000);
      child.on('exit', (code) => { clearTimeout(timer); resolve(code ?? -1); });
    });
    expect(err).toBe('');
    expect(exited).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ enqueued: 300, released: 300, pending: 0, inFlight: 0 });
  }, 30_000);
});
