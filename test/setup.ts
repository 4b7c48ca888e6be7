import nock from 'nock'

// Every outbound request in a unit test must be declared with nock; anything else fails loudly.
beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
})

afterEach(() => {
  nock.cleanAll()
})
