// TypeScript is transformed by SWC into native ESM and run under
// --experimental-vm-modules (see the "jest" script), so ESM-only packages
// such as @middy/core load as they do in Lambda: no CJS shims, no mocks of ESM.
export default {
  // node, holding what the code under test prints until a test fails (a green run is quiet)
  testEnvironment: '<rootDir>/test/support/quiet-environment.cjs',
  // one temp folder per run, removed after it (os.tmpdir() points into it)
  globalSetup: '<rootDir>/test/support/temp-root-setup.cjs',
  globalTeardown: '<rootDir>/test/support/temp-root-teardown.cjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      },
    ],
  },
  testTimeout: 30000,
};
