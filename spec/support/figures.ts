import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where tests leave the figures docs/RELIABILITY.md quotes: test-output/reliability/NAME.json. */
export const FIGURES_DIR = join(__dirname, '..', '..', 'test-output', 'reliability');

/** Writes one test's measured figures, for docs/RELIABILITY.md (rerun the test to reproduce them). */
export function recordFigures(name: string, figures: object): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(join(FIGURES_DIR, `${name}.json`), `${JSON.stringify({ test: name, at: new Date().toISOString(), ...figures }, null, 2)}\n`);
}
