#!/usr/bin/env node
// The `cdp-release` command: the compiled command line in ../dist, over the built library (both
// made by `npm run build` at the top of the repository, which `npm install` runs).
'use strict';
const { join } = require('node:path');
const entry = join(__dirname, '..', 'dist', 'main.js');
let cli;
try {
  cli = require(entry);
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(entry)) {
    process.stderr.write('cdp-release: not built yet: run `npm run build` at the top of the repository\n');
    process.exit(1);
  }
  throw error;
}
cli.runCli();
