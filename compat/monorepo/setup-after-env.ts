// What the monorepo's packages/destination-actions/test/setup-after-env.ts does around every test file: mocks are
// dropped before each test, the network is closed except 127.0.0.1, and nock is released when the file ends.
import nock from 'nock'

beforeEach(() => {
  nock.cleanAll()
})

beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
  if (!nock.isActive()) nock.activate()
})

afterAll(() => {
  nock.restore()
  nock.enableNetConnect()
  nock.cleanAll()
})
