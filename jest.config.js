// ESM all the way: the @actions toolkit majors are ESM-only.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['**/__tests__/**/*.test.ts'],
  globalSetup: './__tests__/global-setup.mjs',
  globalTeardown: './__tests__/global-teardown.mjs',
  // Integration tests drive real go, upx and docker: one file at a time on a 2-core machine.
  maxWorkers: 1,
  testTimeout: 600000,
  verbose: true
}
