/**
 * Jest loads this file through ts-node and forces `module: CommonJS`, which TypeScript 6 rejects
 * beside `moduleResolution: nodenext`; keep the project's own module setting instead.
 * @jest-config-loader-options {"compilerOptions": {"module": "nodenext"}, "moduleTypes": {}}
 */
import type { Config } from 'jest';

const config: Config = {
  testEnvironment: '<rootDir>/spec/support/environment.ts',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // Sources import siblings as `./x.js` (required by Node's ESM resolution); Jest runs the `.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Real-Chromium suites launch one browser each; two cores, so two workers at most.
  maxWorkers: 2,
  testTimeout: 60_000,
};

export default config;
