/**
 * Jest loads this file through ts-node and forces `module: CommonJS`, which TypeScript 6 rejects
 * beside `moduleResolution: nodenext`; keep the project's own module setting instead.
 * @jest-config-loader-options {"compilerOptions": {"module": "nodenext"}, "moduleTypes": {}}
 */
import type { Config } from 'jest';

/** The command line's tests: they run `cdp-release` as a user would, against real Chromium. */
const config: Config = {
  displayName: 'cli',
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    // The library's public entry point, from source (as tsconfig.json's `paths`).
    '^cdp-release-batcher$': '<rootDir>/../src/index.ts',
    '^cdp-release-batcher/testing$': '<rootDir>/../src/testing/index.ts',
    '^cdp-release-batcher/events$': '<rootDir>/../src/events.ts',
    '^cdp-release-batcher/otel$': '<rootDir>/../src/otel.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 60_000,
};

export default config;
