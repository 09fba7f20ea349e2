// One lint config for the whole repository (flat config: ESLint 10 no longer reads .eslintrc.*).
import js from '@eslint/js';
import rxjs from 'eslint-plugin-rxjs-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'test-output/**', '.tmp*/**', 'coverage/**', 'node_modules/**', '**/*.mjs', '**/*.js', '**/*.cjs', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  rxjs.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers and booleans in template literals read fine in messages.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // `(x) => subscriber.next(x)` is the RxJS idiom; braces around every callback add nothing.
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    // The command line is a user of the library: its public entry points only, never its files.
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['../../src/**', '../../../src/**', '../../../../src/**', 'cdp-release-batcher/*', '!cdp-release-batcher/testing', '!cdp-release-batcher/events', '!cdp-release-batcher/otel'],
          message: "cli/ uses the library as a user does: import from 'cdp-release-batcher' (or its subpaths 'cdp-release-batcher/testing', 'cdp-release-batcher/events', 'cdp-release-batcher/otel').",
        }],
      }],
    },
  },
  {
    // Tests build fakes and drive hostile inputs on purpose.
    files: ['spec/**/*.ts', 'cli/spec/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/require-await': 'off',
      'rxjs-x/no-ignored-subscription': 'off',
      'rxjs-x/no-topromise': 'off',
      // `ref = null` before a GC is how retention tests drop their last reference.
      'no-useless-assignment': 'off',
    },
  },
);
