import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { launchChromium, sandboxFlags } from '../src/browser/launchChromium';
import { liveProcesses, waitFor } from './support/cli';

jest.setTimeout(60_000);

describe('launchChromium', () => {
  it('--no-sandbox only for root', () => {
    expect(sandboxFlags(0)).toEqual(['--no-sandbox']);
    expect(sandboxFlags(1000)).toEqual([]);
    expect(sandboxFlags(null)).toEqual([]); // no uid (not POSIX): keep the sandbox
  });

  it('starts the browser with a watchdog, and close() stops both and removes the profile', async () => {
    const chromium = await launchChromium();
    const browserLine = execFileSync('ps', ['-o', 'args=', '-p', String(chromium.pid)], { encoding: 'utf8' });
    expect(browserLine).toContain('--remote-debugging-port');
    expect(browserLine.includes('--no-sandbox')).toBe(process.getuid?.() === 0);
    const watchdog = (): string[] => liveProcesses().filter((l) => l.includes('cdp-release-watchdog') && l.includes(` ${chromium.pid} `));
    expect(watchdog()).toHaveLength(1);
    const profile = /--user-data-dir=(\S+)/.exec(browserLine)?.[1] ?? '';
    expect(existsSync(profile)).toBe(true);
    await chromium.close();
    await waitFor(() => watchdog().length === 0, 5_000);
    expect(watchdog()).toEqual([]); // told to stand down: no watchdog outlives a normal close
    expect(existsSync(profile)).toBe(false);
  });
});
