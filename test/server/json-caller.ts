/** A JSON call to a local server, checking that the token never comes back in the answer. */
export function jsonCaller(baseUrl: () => string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await response.text()
    expect(text).not.toContain(token)
    return { status: response.status, body: JSON.parse(text) }
  }
}
