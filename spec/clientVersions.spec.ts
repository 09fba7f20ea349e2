import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The guide's table of supported client versions (docs/GUIDE.md), as `{ client: major[.minor] }`. */
function statedVersions(): Map<string, string> {
  const guide = readFileSync(join(__dirname, '..', 'docs', 'GUIDE.md'), 'utf8');
  const section = guide.slice(guide.indexOf('### Supported client versions'));
  const stated = new Map<string, string>();
  for (const [, client, version] of section.matchAll(/^\| (puppeteer-core|playwright-core|crawlee|chrome-remote-interface) \| ([\d.]+)\.x \|/gm)) stated.set(client!, version!);
  return stated;
}

const installed = (client: string): string => (JSON.parse(readFileSync(require.resolve(`${client}/package.json`), 'utf8')) as { version: string }).version;

describe('supported client versions', () => {
  it.each(['puppeteer-core', 'playwright-core', 'crawlee', 'chrome-remote-interface'])('the installed %s is a version the guide states (and the adapter is tested against)', (client) => {
    const stated = statedVersions().get(client);
    expect(stated).toBeDefined();
    expect(`${installed(client)}.`.startsWith(`${stated!}.`)).toBe(true);
  });
});
