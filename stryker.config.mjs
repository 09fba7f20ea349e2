// Mutation testing of the library (`npm run mutation`): StrykerJS mutates `src/`, drops the mutants
// that do not compile (TypeScript checker), and runs, for each of the others, the library's specs
// that cover it (Jest, per-test coverage). Report: test-output/mutation/index.html (+ report.json).
// The specs run are the library's own, minus the ones that cannot serve as a per-mutant run: child
// processes and timing-heavy runs (see `testPathIgnorePatterns`); the client adapters' real-Chromium
// specs are included.
import { resolve } from 'node:path';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: ['src/**/*.ts', '!src/**/index.ts'],
  // Only the mutated sources get `// @ts-nocheck` (a mutant may not type-check); the specs stay as written.
  disableTypeChecks: 'src/**/*.ts',
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  // Stryker starts two TypeScript checkers and one test runner; when checking is done (early in the
  // run) their slots go to test runners: two or three runners for the rest of the run.
  concurrency: 3,
  // A mutant that hangs a spec costs this much on top of the spec's own time (x1.5): 5 s is ample
  // here, the specs' own waits are bounded well below it.
  timeoutMS: 5_000,
  // The initial run of every spec with per-test coverage takes over 5 minutes on 2 cores (Stryker's
  // default limit for it).
  dryRunTimeoutMinutes: 20,
  // Reruns test only the mutants whose source or covering specs changed (`--force` for a full run).
  // The results are committed, gzipped (mutation/incremental.json.gz): `npm run mutation`
  // (scripts/mutation.mjs) unpacks them here and packs them back. A full run takes longer than one
  // sitting on 2 cores, so it is done in parts (`--mutate <files>`), each keeping the others' results.
  incremental: true,
  incrementalFile: '.tmp/mutation/incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['test-output', 'mutation', '.tmp', 'dist', 'cli', 'docs', 'bench', '.stryker-tmp', 'examples'],
  jest: {
    projectType: 'custom',
    enableFindRelatedTests: false,
    config: {
      testEnvironment: resolve('spec/support/mutationEnvironment.cjs'),
      testSequencer: resolve('spec/support/mutationSequencer.cjs'),
      roots: ['<rootDir>/spec'],
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: [
        '/spec/examples\\.spec\\.ts$', // runs the examples as child processes
        '/spec/readme\\.spec\\.ts$', // builds the package and runs the README's code in child processes
        '/spec/jestSetups\\.spec\\.ts$', // builds the package and runs Jest in child processes
        '/spec/clientVersions\\.spec\\.ts$', // reads installed versions: no library code
        '/spec/idleExit\\.spec\\.ts$', // a child process must exit
        '/spec/reliability/load\\.spec\\.ts$', // 1,000,000 releases: a timing run, minutes per mutant
        '/spec/compileTime\\.spec\\.ts$', // type-checks the compile-time specs: types, not behaviour
      ],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      // A mutant that makes a spec wait forever fails it here (the longest spec run takes ~13 s idle,
      // 20 s was once exceeded under load; the specs that launch Chromium set their own hook timeouts).
      testTimeout: 30_000,
    },
  },
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'test-output/mutation/index.html' },
  jsonReporter: { fileName: 'test-output/mutation/report.json' },
  thresholds: { high: 90, low: 85, break: null },
};
