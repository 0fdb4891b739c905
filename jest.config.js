// Jest in native ESM mode (run with --experimental-vm-modules): ts-jest
// compiles TypeScript as ESM, so tests can use jest.unstable_mockModule()
// followed by a dynamic import of the module under test.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: [
    '<rootDir>/packages',
    '<rootDir>/actions',
    '<rootDir>/scripts',
    '<rootDir>/tests'
  ],
  testMatch: ['**/__tests__/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }
    ]
  },
  collectCoverageFrom: [
    'packages/*/src/**/*.ts',
    'actions/*/src/**/*.ts',
    '!**/src/index.ts'
  ],
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  testTimeout: 30000,
  // Two suites at a time, also on two cores: most of a suite's time is spent
  // waiting on the processes it drives (pip, podman, act, the bundles), so
  // two workers halve `make test`'s Jest wall time here (1080 s → 587 s) with
  // every suite passing; Jest's default (cores − 1) ran them one by one.
  maxWorkers: 2
}
