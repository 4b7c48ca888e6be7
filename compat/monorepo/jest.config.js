/**
 * The destination's tests as segmentio/action-destinations runs them: its jest settings (packages/destination-actions'
 * package.json: ts-jest with isolatedModules, the node environment, helpers under __tests__/__helpers__ ignored, its
 * setup-after-env) under its pinned versions, installed in this folder. The destination's own imports of `nock` get
 * this folder's nock 13, as they would in the monorepo.
 */
const { join } = require('node:path')

/** @type {import('@jest/types').Config.InitialOptions} */
module.exports = {
  rootDir: join(__dirname, '..', '..', 'src', 'destinations', 'qualtrics'),
  transform: { '^.+\\.tsx?$': require.resolve('ts-jest') },
  globals: { 'ts-jest': { isolatedModules: true, tsconfig: join(__dirname, 'tsconfig.json') } },
  // Resolved here: from the destination's folder, 'node' would find this project's jest 29 environment.
  testEnvironment: require.resolve('jest-environment-node'),
  moduleNameMapper: { '^nock$': require.resolve('nock') },
  setupFilesAfterEnv: [join(__dirname, 'setup-after-env.ts')],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '__tests__/__helpers__/']
}
