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
  testTimeout: 30000
}
