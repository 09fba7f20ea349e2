#!/usr/bin/env node
// The `cdp-release` command, run from its TypeScript source: ts-node compiles it (types are checked
// by `npm run typecheck`, not at every start) and tsconfig-paths resolves `cdp-release-batcher` to
// the library's public entry point in this repository, so no build is needed first.
'use strict';
const { join } = require('node:path');
const tsconfigPaths = require('tsconfig-paths');
const cliRoot = join(__dirname, '..');
require('ts-node').register({ project: join(cliRoot, 'tsconfig.json'), transpileOnly: true, experimentalResolver: true });
const config = tsconfigPaths.loadConfig(cliRoot);
if (config.resultType !== 'success') throw new Error(`cdp-release: cannot read ${cliRoot}/tsconfig.json: ${config.message}`);
tsconfigPaths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
require('../src/main.ts').runCli();
