import type { Method } from './call'
import { ENDPOINT_ROWS } from './endpoints'
import type { EndpointEntry } from './endpoints'
import { ApiError, notFound } from './errors'
import { removedEndpoint } from './removed-endpoints'

export interface Route {
  endpoint: EndpointEntry
  /** The path's `{name}` segments, decoded. */
  params: Record<string, string>
}

/** One path of the table, split: a literal segment, or the name of a parameter. */
interface PathPattern {
  segments: { literal?: string; param?: string }[]
  rows: EndpointEntry[]
}

const splitPath = (path: string) => path.split('/').filter(Boolean)

/** The table's paths, each with its rows (one per method), most literal first so `contacts/search` beats `{id}`. */
const PATTERNS: PathPattern[] = (() => {
  const byPath = new Map<string, PathPattern>()
  for (const row of ENDPOINT_ROWS) {
    const pattern = byPath.get(row.path) ?? {
      segments: splitPath(row.path).map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment)?.[1]
        return param ? { param } : { literal: segment.toLowerCase() }
      }),
      rows: []
    }
    pattern.rows.push(row)
    byPath.set(row.path, pattern)
  }
  const literals = (pattern: PathPattern) => pattern.segments.filter((segment) => segment.literal).length
  return [...byPath.values()].sort((a, b) => literals(b) - literals(a))
})()

function matchPath(pattern: PathPattern, parts: string[]): Record<string, string> | undefined {
  if (pattern.segments.length !== parts.length) return undefined
  const params: Record<string, string> = {}
  for (const [i, { literal, param }] of pattern.segments.entries()) {
    if (param) params[param] = parts[i]
    else if (literal !== parts[i].toLowerCase()) return undefined
  }
  return params
}

/** Which endpoint a method and path name; a known path with the wrong method is a 405, a removed one a 404. */
export function route(method: string, path: string): Route | ApiError {
  let parts: string[]
  try {
    parts = splitPath(path).map(decodeURIComponent)
  } catch {
    // A malformed percent-escape names no resource; Qualtrics answers such paths with a 404 too.
    return notFound(`${path} is not a valid path.`)
  }
  for (const pattern of PATTERNS) {
    const params = matchPath(pattern, parts)
    if (!params) continue
    const endpoint = pattern.rows.find((row) => row.method === (method as Method))
    return endpoint ? { endpoint, params } : new ApiError(405, 'SANDBOX_METHOD', `${method} is not allowed on ${path}.`)
  }
  return removedEndpoint(parts) ?? notFound(`No Qualtrics endpoint at ${path}.`)
}
