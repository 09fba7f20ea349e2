/**
 * Every TypeScript block of the README and of docs/ compiles against the built package, the ones
 * marked as programs run — against a real headless Chromium — and end by themselves, and every
 * relative link of those documents (and of cli/README.md) resolves.
 *
 * Markers (HTML comments just above a block, invisible on the rendered page):
 * - `<!-- readme: context=cri|puppeteer|playwright -->` — which client the names a fragment uses
 *   (`page`, `session`, ...) belong to; unmarked blocks are chrome-remote-interface (`cri`) fragments.
 * - `<!-- readme: run ... -->` — a whole program: compiled, then run; it must exit 0 within 60 s.
 * - `<!-- readme: test ... -->` — a Jest test a user would write: compiled, then its `it` bodies run
 *   here, with the built package.
 * A fragment is compiled with `declare`d stand-ins for the names it uses without defining them
 * (`batcher`, `client`, `page`, imports it leaves out), so the code shown is the code compiled.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { launchChromium } from './support/browser';
import { installBuiltPackage } from './support/builtPackage';

const root = join(__dirname, '..');
const requireHere = createRequire(__filename);
const work = join(root, 'test-output', 'readme');

interface Block { readonly doc: string; readonly line: number; readonly code: string; readonly context: string; readonly run: boolean; readonly test: boolean }

/** The documents whose code is compiled: the README, then docs/ (the package ships both). */
const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** A document's ```ts blocks, with their markers. */
function docBlocks(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const marker = /^<!-- readme: (.*) -->$/.exec(lines[i - 1] ?? '')?.[1] ?? '';
    const start = i + 1;
    let end = start;
    while (lines[end] !== '```') end++;
    blocks.push({ doc, line: start, code: lines.slice(start, end).join('\n'), context: /context=(\w+)/.exec(marker)?.[1] ?? 'cri', run: /^run\b/.test(marker), test: /^test\b/.test(marker) });
    i = end;
  }
  return blocks;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

/** Every relative link of `doc` that does not resolve: a missing file, or a missing heading. */
function brokenLinks(doc: string): string[] {
  const text = readFileSync(join(root, doc), 'utf8');
  const broken: string[] = [];
  for (const [, href = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(href)) continue; // absolute (https:, mailto:)
    const [path = '', anchor] = href.split('#');
    const file = path === '' ? join(root, doc) : join(root, dirname(doc), path);
    if (!existsSync(file)) {
      broken.push(`${doc}: ${href} (no such file)`);
      continue;
    }
    if (anchor === undefined) continue;
    const headings = readFileSync(file, 'utf8').split('\n').filter((l) => /^#+ /.test(l)).map((l) => anchorOf(l.replace(/^#+ /, '')));
    if (!headings.includes(anchor)) broken.push(`${doc}: ${href} (no such heading)`);
  }
  return broken;
}

const lib = (name: string): string => `declare const ${name}: typeof import('cdp-release-batcher').${name};`;
const rx = (name: string): string => `declare const ${name}: typeof import('rxjs').${name};`;
const COMMON: Record<string, string> = {
  batcher: "declare const batcher: import('cdp-release-batcher').ReleaseBatcher;",
  client: "declare const client: import('chrome-remote-interface').Client;",
  browser: "declare const browser: import('chrome-remote-interface').Client;",
  browserClient: "declare const browserClient: import('chrome-remote-interface').Client;",
  objectId: 'declare const objectId: string;',
  handle: "declare const handle: import('cdp-release-batcher').ClientHandle;",
  mySession: 'declare const mySession: { send(method: string, params?: object): Promise<unknown> };',
  nodeId: 'declare const nodeId: number;',
  sessionId: 'declare const sessionId: string;',
  pages: 'declare const pages: number[];',
  render: 'declare function render(stats: unknown): void;',
  log: 'declare function log(report: unknown): void;',
  CdpTarget: "type CdpTarget = import('cdp-release-batcher').CdpTarget;",
  ...Object.fromEntries(['ReleaseBatcher', 'withRemoteObject', 'criSession', 'releaseInto', 'isHandleDisposed'].map((n) => [n, lib(n)])),
  ...Object.fromEntries(['lastValueFrom', 'from', 'mergeMap', 'toArray'].map((n) => [n, rx(n)])),
  PuppeteerCrawler: "declare const PuppeteerCrawler: typeof import('crawlee').PuppeteerCrawler;",
  puppeteer: "declare const puppeteer: typeof import('puppeteer-core').default;",
};
const CONTEXTS: Record<string, Record<string, string>> = {
  cri: { ...COMMON, session: "declare const session: import('cdp-release-batcher').CdpTarget;" },
  puppeteer: { ...COMMON, page: "declare const page: import('puppeteer-core').Page;" },
  playwright: { ...COMMON, page: "declare const page: import('playwright-core').Page;" },
};

/** Stand-ins for the names the block uses but neither imports nor declares. */
function preamble(block: Block): string {
  const context = CONTEXTS[block.context];
  if (context === undefined) throw new Error(`${block.doc} line ${block.line}: unknown context ${block.context}`);
  const defines = (name: string): boolean => new RegExp(`(import[^;]*\\b${name}\\b[^;]*from|\\b(const|let|function|class)\\s+${name}\\b)`).test(block.code);
  return Object.entries(context).filter(([name]) => new RegExp(`\\b${name}\\b`).test(block.code) && !defines(name)).map(([, decl]) => decl).join('\n');
}

const file = (block: Block): string => join(work, `${block.doc.replace(/[/.]/g, '_')}-line-${block.line}.mts`);

describe('the code and links of the README and docs/', () => {
  jest.setTimeout(180_000);
  const blocks = DOCS.flatMap(docBlocks);

  beforeAll(() => {
    // The built package, as a user installs it: node_modules/cdp-release-batcher in the snippets' folder.
    rmSync(work, { recursive: true, force: true });
    installBuiltPackage(work);
    writeFileSync(join(work, 'package.json'), '{ "type": "module", "private": true }\n');
    for (const block of blocks) writeFileSync(file(block), `${preamble(block)}\nexport {};\n${block.code}\n`);
  });

  it('every relative link of every document resolves, to a file and a heading in it', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'docs/ARCHITECTURE.md', 'docs/BENCHMARKS.md', 'docs/GUIDE.md', 'docs/RELIABILITY.md', 'docs/TESTING.md']));
    expect([...DOCS, 'cli/README.md'].flatMap(brokenLinks)).toEqual([]);
  });

  it('finds broken links: a missing file and a missing heading are both reported', () => {
    const probe = join('test-output', 'links-probe.md');
    mkdirSync(join(root, 'test-output'), { recursive: true });
    writeFileSync(join(root, probe), '# Here\n[a](../README.md#set-up) [b](#here) [c](nowhere.md) [d](../README.md#no-such-heading) [e](https://example.com/x)\n');
    expect(brokenLinks(probe)).toEqual([`${probe}: nowhere.md (no such file)`, `${probe}: ../README.md#no-such-heading (no such heading)`]);
  });

  it('has TypeScript blocks, each marked with a context it knows', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    expect(new Set(blocks.map((b) => b.doc)).size).toBeGreaterThanOrEqual(3);
    expect(blocks.filter((b) => b.run).length).toBeGreaterThanOrEqual(1);
  });

  it('compiles every block against the built package (strict, with the Disposable lib `using` needs)', () => {
    const program = ts.createProgram(blocks.map(file), {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
      types: ['node', 'jest'],
      typeRoots: [join(root, 'node_modules', '@types')],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      // crawlee's types name the full packages; the README says to map them to the -core ones.
      paths: { puppeteer: [join(root, 'node_modules', 'puppeteer-core')], playwright: [join(root, 'node_modules', 'playwright-core')] },
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file === undefined ? '' : `${d.file.fileName.replace(`${work}/`, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
    expect(problems).toEqual([]);
  });

  it('states the truth about `using`: the types need the Disposable lib or @types/node, and compile with either', () => {
    const consumer = join(work, 'consumer.mts');
    writeFileSync(consumer, "import { ReleaseBatcher } from 'cdp-release-batcher';\nexport const batcher = new ReleaseBatcher();\n");
    // Errors in this package's own types (rxjs, for one, needs a `setTimeout` from DOM or @types/node too).
    const errors = (lib: string[], types: string[]): number => ts.getPreEmitDiagnostics(ts.createProgram([consumer], {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib, types, typeRoots: [join(root, 'node_modules', '@types')], strict: true, noEmit: true,
    })).filter((d) => d.file?.fileName.includes('/cdp-release-batcher/') === true).length;
    expect(errors(['lib.es2022.d.ts'], [])).toBeGreaterThan(0); // what the README warns of
    expect(errors(['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'], [])).toBe(0);
    expect(errors(['lib.es2022.d.ts'], ['node'])).toBe(0);
  });

  it('runs the marble tests of the README and docs/, with the built package', () => {
    const tests = blocks.filter((b) => b.test);
    expect(tests.length).toBeGreaterThanOrEqual(1);
    const pkg = join(work, 'node_modules', 'cdp-release-batcher', 'dist', 'cjs');
    const load = (name: string): unknown => {
      if (name === 'cdp-release-batcher') return requireHere(join(pkg, 'index.js'));
      if (name === 'cdp-release-batcher/testing') return requireHere(join(pkg, 'testing', 'index.js'));
      return requireHere(name);
    };
    for (const block of tests) {
      const cjs = ts.transpileModule(block.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true } }).outputText;
      let ran = 0;
      const runIt = (_name: string, body: () => void): void => {
        body();
        ran++;
      };
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the README's own code, compiled above
      new Function('require', 'exports', 'it', 'expect', cjs)(load, {}, runIt, expect);
      expect([block.doc, block.line, ran]).toEqual([block.doc, block.line, 1]);
    }
  });

  it('runs every program against a real Chromium, and each ends by itself', async () => {
    const chromium = await launchChromium();
    try {
      for (const block of blocks.filter((b) => b.run)) {
        const js = ts.transpileModule(block.code.replace(/port: 9222/g, `port: ${chromium.port}`), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
        const out = join(work, `run-${block.doc.replace(/[/.]/g, '_')}-${block.line}.mjs`);
        writeFileSync(out, js);
        const { stdout } = await promisify(execFile)(process.execPath, [out], { cwd: work, timeout: 60_000 });
        expect([block.doc, block.line, stdout]).toEqual([block.doc, block.line, expect.stringMatching(/released/)]);
      }
    } finally {
      await chromium.close();
    }
  });
});
