import { ENDPOINT_NAMES, ENDPOINT_TABLE, ENDPOINT_LIMITS_PER_MINUTE, ROUTE_SCOPES } from '../../src/sandbox'
import { ApiError } from '../../src/sandbox'
import { route } from '../../src/sandbox/routes'

describe('the endpoint table', () => {
  it('names each endpoint once', () => {
    expect(new Set(ENDPOINT_NAMES).size).toBe(ENDPOINT_TABLE.length)
  })

  it.each(ENDPOINT_TABLE.map((row) => [row.name, row] as const))('routes %s to its own row', (_name, row) => {
    const path = row.path.replace(/\{(\w+)\}/g, (_, param: string) => `${param}-value`)
    const found = route(row.method, path)
    expect(found).not.toBeInstanceOf(ApiError)
    if (found instanceof ApiError) return
    expect(found.endpoint).toBe(row)
    const params = [...row.path.matchAll(/\{(\w+)\}/g)].map(([, param]) => [param, `${param}-value`])
    expect(found.params).toEqual(Object.fromEntries(params))
  })

  it('is what the rate limits and the scopes read', () => {
    for (const row of ENDPOINT_TABLE) {
      expect(ENDPOINT_LIMITS_PER_MINUTE[row.name]).toBe('perMinute' in row ? row.perMinute : undefined)
      expect(ROUTE_SCOPES[row.name]).toBe('scope' in row ? row.scope : undefined)
    }
  })

  it('prefers a literal segment to a parameter, and answers another method on a known path with a 405', () => {
    const search = route('POST', '/API/v3/directories/POOL_1/contacts/search')
    expect(search).toMatchObject({ endpoint: { name: 'contacts.search' }, params: { directoryId: 'POOL_1' } })
    expect(route('GET', '/API/v3/directories/POOL_1/contacts/search')).toMatchObject({ status: 405 })
    expect(route('GET', '/api/V3/Directories/POOL_1/contacts/CID_1')).toMatchObject({
      endpoint: { name: 'contacts.get' },
      params: { directoryId: 'POOL_1', contactId: 'CID_1' }
    })
    expect(route('GET', '/API/v3/nothing-here')).toMatchObject({ status: 404 })
  })
})
