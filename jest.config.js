/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // The destination's tests sit beside its code (src/destinations/qualtrics/**/__tests__), as in Segment's monorepo;
  // the rest of the project's under test/. Helpers under __tests__/__helpers__ are not tests.
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/__tests__/__helpers__/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: false }]
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // The run may not open the project's .local/ and must leave the work tree as it found it: see these two files.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  clearMocks: true,
  // Loopback servers and fault runs share two cores with whatever else runs: give slow machines room, not flakes.
  testTimeout: 30_000
}
