// The test environment for StrykerJS's jest runner, which loads it with Node's own `require`
// (Jest would transform spec/support/environment.ts itself): register ts-node, then hand it over.
require('ts-node').register({ transpileOnly: true });
module.exports = require('./environment.ts').default;
