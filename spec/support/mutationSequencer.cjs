// The spec order for StrykerJS's mutant runs (stryker.config.mjs). Stryker runs Jest in band, and
// Jest's default order puts the slowest spec files first — right for a parallel run, wrong here: a
// mutant is killed by its first failing test (see mutationEnvironment.cjs), so the cheap specs
// should get their chance before the real-Chromium ones. Order: files that failed in the last run
// first (they likely kill the next mutant of the same code too), then fastest first by Jest's
// recorded durations, files without a recorded duration last, smallest first.
const Sequencer = require('@jest/test-sequencer').default;

class FastestFirstSequencer extends Sequencer {
  sort(tests) {
    const key = (test) => {
      const duration = this.time(test);
      return [this.hasFailed(test) ? 0 : 1, duration === undefined ? 1 : 0, duration ?? test.context.hasteFS.getSize(test.path) ?? 0];
    };
    const keys = new Map(tests.map((test) => [test, key(test)]));
    return [...tests].sort((a, b) => {
      const [x, y] = [keys.get(a), keys.get(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
  }
}

module.exports = FastestFirstSequencer;
