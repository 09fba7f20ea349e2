/**
 * The compile-time specs (`*.types.spec.ts`) are type-checked here, by `npm test` itself: ts-jest runs
 * with `isolatedModules` (transpile only), so without this only `npm run typecheck` would see them.
 * A line that stops compiling, or an `@ts-expect-error` whose error went away (the types became too
 * loose to mean anything), is a failing test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

jest.setTimeout(120_000);

const root = join(__dirname, '..');

function compilerOptions(): ts.CompilerOptions {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, root).options, noEmit: true };
}

/** The type errors of `file`, compiled with the project's options; `text` replaces its content. */
function typeErrors(file: string, text?: string): string[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  if (text !== undefined) {
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, text, language) : original(name, language, ...rest));
  }
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName.slice(root.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

const typeSpecs = readdirSync(__dirname).filter((f) => f.endsWith('.types.spec.ts')).map((f) => join(__dirname, f));

describe('compile-time specs, type-checked by npm test', () => {
  it('there are some', () => {
    expect(typeSpecs.map((f) => f.slice(root.length + 1))).toContain('spec/interop.types.spec.ts');
  });

  it.each(typeSpecs.map((f) => [f.slice(root.length + 1), f]))('%s compiles, every @ts-expect-error used', (_name, file) => {
    expect(typeErrors(file)).toEqual([]);
  });

  it('the check can fail: a loosened expectation and a misspelt parameter are both reported', () => {
    const file = join(__dirname, 'interop.types.spec.ts');
    const text = readFileSync(file, 'utf8');
    // the typo line without its @ts-expect-error: a real type error
    const unguarded = text.replace("  // @ts-expect-error a parameter the command does not have\n", '');
    expect(unguarded).not.toBe(text);
    expect(typeErrors(file, unguarded).join('\n')).toMatch(/expresion/);
    // an @ts-expect-error over a line that compiles: "Unused '@ts-expect-error' directive"
    const loose = text.replace("  await page.send('Page.enable'); // no parameters", "  // @ts-expect-error\n  await page.send('Page.enable');");
    expect(loose).not.toBe(text);
    expect(typeErrors(file, loose).join('\n')).toMatch(/Unused '@ts-expect-error' directive/);
  });
});
