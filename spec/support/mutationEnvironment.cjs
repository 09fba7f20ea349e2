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

// Volume runs left out of mutation testing (dry run included, so they neither cover mutants nor
// stretch the timeouts): each sends 20,000–100,000 releases to a real Chromium and weighs its heap,
// 18–30 s per run (three of them took 1,420 s of a traced 4,050 s run), while every release path
// they drive is covered by the smaller specs beside them. `npm test` runs them as always. Leaving them out
// can only lower the score (a mutant only they would kill counts as survived).
const VOLUME_RUNS = [
  '100,000 released objects bring the page heap back within 10%',
  '20,000 handles: one Runtime.releaseObject each', // puppeteer-core's and playwright-core's
  '20,000 watched handles dropped',
];
const fullName = (test) => {
  const names = [];
  for (let block = test; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent) names.unshift(block.name);
  return names.join(' › ');
};

// `MUTATION_TRACE=/path/file.tsv npm run mutation`: one line per test run under a mutant (time, pid,
// mutant, milliseconds, passed/failed, test), to see where a run spends its time. Skipped tests
// (filtered out, or after the first failure) end in `test_skip`, not `test_done`: not logged.
const TRACE = process.env.MUTATION_TRACE;
const trace = (mutant, event) => {
  if (TRACE === undefined || event.name !== 'test_done') return;
  const { test } = event;
  const status = test.errors.length > 0 ? 'failed' : 'passed';
  appendFileSync(TRACE, `${new Date().toISOString()}\t${process.pid}\t${mutant}\t${test.duration ?? 0}\t${status}\t${fullName(test)}\n`);
};

class FailFastPerMutantEnvironment extends CrossRealmErrorEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_start' && VOLUME_RUNS.some((run) => event.test.name.includes(run))) {
      event.test.mode = 'skip';
      return;
    }
    const mutant = process.env[ACTIVE];
    if (mutant === undefined) return;
    trace(mutant, event);
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') failedFor = mutant;
    else if (event.name === 'test_start' && failedFor === mutant) event.test.mode = 'skip';
  }
}

module.exports = FailFastPerMutantEnvironment;
