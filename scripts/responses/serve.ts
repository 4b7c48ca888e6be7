import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { RESPONSES_ROUTE } from '../../src/sources/qualtrics-responses'
import type { QualtricsAccess } from '../../src/sources/qualtrics-responses'
import { listenOnLoopback } from '../../src/server/http/listener'
import { startResponses } from '../../src/server/responses'
import type { Responses, ResponsesOptions } from '../../src/server/responses'

const json = (status: number, body: unknown) => ({ status, text: JSON.stringify(body) })

/**
 * `npm run responses -- serve`: only the receiver, for a deployment of this part alone. It answers
 * POST /qualtrics/responses (every callback must carry Qualtrics' HMAC) and GET /health, on 127.0.0.1; put a
 * reverse proxy or tunnel with a public HTTPS URL in front. There is no Host check here, unlike `npm start`: the
 * process holds no route a forged request could use, since unsigned callbacks are refused before anything runs.
 */
export async function serveResponses(
  options: Omit<ResponsesOptions, 'qualtrics'> & { qualtrics: QualtricsAccess; port?: number }
): Promise<{ url: string; responses: Responses; server: Server; close(): Promise<void> }> {
  const responses = await startResponses(options)
  const server = createServer((req, res) => {
    req.on('error', () => undefined)
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '')
    if (path === RESPONSES_ROUTE) {
      responses.handle(req, res, {}).catch(() => res.destroy())
      return
    }
    req.resume()
    const answer =
      path === '/health' && req.method === 'GET'
        ? json(200, { ok: true, callbacks: responses.outcomes().length })
        : json(404, { error: `Only POST ${RESPONSES_ROUTE} and GET /health here.` })
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' })
    res.end(answer.text)
  })
  const listening = await listenOnLoopback(server, options.port).catch(async (error: unknown) => {
    await responses.close()
    throw error
  })
  return {
    url: listening.url,
    responses,
    server,
    async close() {
      await listening.close()
      await responses.close()
    }
  }
}
