import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
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
