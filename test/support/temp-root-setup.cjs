// Every temp folder a test run makes (os.tmpdir(): the tests', the simulators', child processes')
// lands in one folder of this run, removed by temp-root-teardown.cjs: `npm test` leaves nothing in
// the machine's temp folder. Set before jest starts its workers, which inherit it.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  process.env.CA_TEST_TEMP_ROOT = mkdtempSync(join(tmpdir(), 'ca-test-run-'));
  process.env.TMPDIR = process.env.CA_TEST_TEMP_ROOT;
};
