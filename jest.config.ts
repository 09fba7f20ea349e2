/**
 * Jest loads this file through ts-node and forces `module: CommonJS`, which TypeScript 6 rejects
 * beside `moduleResolution: nodenext`; keep the project's own module setting instead.
 * @jest-config-loader-options {"compilerOptions": {"module": "nodenext"}, "moduleTypes": {}}
 */
import type { Config } from 'jest';

/** The library's own tests (`spec/`). */
const library: Config = {
  displayName: 'library',
  testEnvironment: '<rootDir>/spec/support/environment.ts',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // Sources import siblings as `./x.js` (required by Node's ESM resolution); Jest runs the `.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** `npm test` runs both packages: the library here and the command line in `cli/`. */
const config: Config = {
  projects: [library, '<rootDir>/cli'],
  // Real-Chromium suites launch one browser each; two cores, so two workers at most.
  maxWorkers: 2,
  testTimeout: 60_000,
};

export default config;
