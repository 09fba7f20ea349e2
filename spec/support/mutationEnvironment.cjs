// The test environment for StrykerJS's jest runner, which loads it with Node's own `require`
// (Jest would transform spec/support/environment.ts itself): register ts-node, then extend it.
//
// Fail fast per mutant: Jest cannot bail programmatically (Stryker runs it with `bail: false`), so
// a mutant would run every spec covering it even after the first failure — minutes per mutant in
// the core, and a hanging spec after a failing one turns a killed mutant into a timeout. Stryker
// names the mutant under test in `__STRYKER_ACTIVE_MUTANT__`; once a test or hook fails for that
// mutant, the remaining tests of the run are skipped (the mutant is killed either way). This module
// is loaded once per runner process, so the flag outlives one spec file; it names its mutant, so the
// next one starts clean, and the initial (dry) run, which has no active mutant, never skips.
const { appendFileSync } = require('node:fs');
require('ts-node').register({ transpileOnly: true });
const CrossRealmErrorEnvironment = require('./environment.ts').default;

const ACTIVE = '__STRYKER_ACTIVE_MUTANT__';
let failedFor;

// `MUTATION_TRACE=/path/file.tsv npm run mutation`: one line per test run under a mutant (time, pid,
// mutant, milliseconds, passed/failed, test), to see where a run spends its time. Skipped tests
// (filtered out, or after the first failure) end in `test_skip`, not `test_done`: not logged.
const TRACE = process.env.MUTATION_TRACE;
const trace = (mutant, event) => {
  if (TRACE === undefined || event.name !== 'test_done') return;
  const { test } = event;
  const names = [];
  for (let block = test; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent) names.unshift(block.name);
  const status = test.errors.length > 0 ? 'failed' : 'passed';
  appendFileSync(TRACE, `${new Date().toISOString()}\t${process.pid}\t${mutant}\t${test.duration ?? 0}\t${status}\t${names.join(' › ')}\n`);
};

class FailFastPerMutantEnvironment extends CrossRealmErrorEnvironment {
  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE];
    if (mutant === undefined) return;
    trace(mutant, event);
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') failedFor = mutant;
    else if (event.name === 'test_start' && failedFor === mutant) event.test.mode = 'skip';
  }
}

module.exports = FailFastPerMutantEnvironment;
