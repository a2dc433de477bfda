// Removes the run's temp folder (temp-root-setup.cjs).
const { rmSync } = require('node:fs');

module.exports = async () => {
  if (process.env.CA_TEST_TEMP_ROOT) rmSync(process.env.CA_TEST_TEMP_ROOT, { recursive: true, force: true });
};
