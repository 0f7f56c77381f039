/** A loopback server that answers the REST endpoints the action uses the way api.github.com does. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeComment {
  id: number
  body: string
  user: { login: string }
  html_url: string
}

export interface Fault {
  method: string
  path: RegExp
  status: number
  headers?: Record<string, string>
  message: string
  /** How many matching requests fail before the endpoint behaves. */
  times: number
  /** Never answer: a hung API. */
  hang?: boolean
  /** Answer this text as the body instead of a JSON error (a malformed answer). */
  raw?: string
  /** Put the request's token into the error message, as a careless proxy might. */
  echoToken?: boolean
}

export const BOT = 'github-actions[bot]'

/**
 * How GitHub treats a token. Installation tokens (GITHUB_TOKEN, a GitHub App's) get 403 on GET /user; a
 * personal token answers it. `viewer` is what GraphQL answers, undefined where GraphQL is unavailable.
 */
export interface TokenKind {
  login: string
  user: boolean
  viewer?: string
}

export const TOKEN_KINDS: Record<string, TokenKind> = {
  GITHUB_TOKEN: { login: BOT, user: false, viewer: 'github-actions' },
  'App installation': { login: 'my-app[bot]', user: false, viewer: 'my-app[bot]' },
  'App installation without GraphQL': { login: 'my-app[bot]', user: false },
  'personal token': { login: 'octocat', user: true, viewer: 'octocat' }
}

export class FakeGitHub {
  readonly comments = new Map<number, FakeComment[]>()
  readonly requests: Array<{ method: string; path: string; token: string }> = []
  readonly faults: Fault[] = []
  /** Tokens that may read but not write, like a fork's GITHUB_TOKEN. */
  readonly readOnlyTokens = new Set<string>()
  /** Tokens not listed here act as the GITHUB_TOKEN. */
  readonly tokens = new Map<string, TokenKind>()
  private nextId = 1000
  private server?: Server
  url = ''

  seed(issue: number, count: number, make: (index: number) => Partial<FakeComment>): void {
    const list = this.comments.get(issue) ?? []
    for (let i = 0; i < count; i++) {
      const id = this.nextId++
      list.push({ id, body: `comment ${i}`, user: { login: 'someone' }, html_url: `https://github.test/c/${id}`, ...make(i) })
    }
    this.comments.set(issue, list)
  }

  writes(): Array<{ method: string; path: string }> {
    // A GraphQL query is a POST that writes nothing.
    return this.requests.filter(r => r.method !== 'GET' && r.path !== '/graphql')
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  stop(): Promise<void> {
    // Hung requests hold their connections: end them, or close would wait for them.
    this.server?.closeAllConnections()
    return new Promise(resolve => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(body === undefined ? undefined : JSON.stringify(body))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const method = req.method ?? 'GET'
    const token = (req.headers.authorization ?? '').replace(/^(token|Bearer) /, '')
    this.requests.push({ method, path: url.pathname + url.search, token })
    let raw = ''
    for await (const chunk of req) raw += chunk
    const input = raw ? JSON.parse(raw) : {}

    const fault = this.faults.find(f => f.times > 0 && f.method === method && f.path.test(url.pathname))
    if (fault) {
      fault.times--
      if (fault.hang) return
      if (fault.raw !== undefined) {
        res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers })
        return void res.end(fault.raw)
      }
      const message = fault.echoToken ? `${fault.message} (token ${token})` : fault.message
      return this.send(res, fault.status, { message, documentation_url: 'https://docs.github.com/rest' }, fault.headers)
    }
    if (!token) return this.send(res, 401, { message: 'Requires authentication' })
    const kind = this.tokens.get(token) ?? TOKEN_KINDS.GITHUB_TOKEN
    if (method === 'GET' && url.pathname === '/user') {
      return kind.user ? this.send(res, 200, { login: kind.login, type: 'User' }) : this.send(res, 403, { message: 'Resource not accessible by integration' })
    }
    if (method === 'POST' && url.pathname === '/graphql') {
      if (!kind.viewer) return this.send(res, 404, { message: 'Not Found' })
      return this.send(
        res,
        200,
        /viewer\s*{\s*login/.test(input.query ?? '') ? { data: { viewer: { login: kind.viewer } } } : { errors: [{ message: 'unsupported' }] }
      )
    }

    const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname)
    if (list && method === 'GET') {
      const all = this.comments.get(Number(list[1])) ?? []
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100)
      const page = Number(url.searchParams.get('page') ?? 1)
      const last = Math.max(1, Math.ceil(all.length / perPage))
      const link = (p: number, rel: string) => `<${this.url}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`
      const links = [page < last ? link(page + 1, 'next') : '', link(last, 'last')].filter(Boolean)
      return this.send(res, 200, all.slice((page - 1) * perPage, page * perPage), { link: links.join(', ') })
    }
    // GitHub's own limit on a comment body, as it answers it.
    if (['POST', 'PATCH'].includes(method) && typeof input.body === 'string' && input.body.length > 65536) {
      return this.send(res, 422, {
        message: 'Validation Failed',
        errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'Body is too long (maximum is 65536 characters)' }]
      })
    }
    if (list && method === 'POST') {
      if (this.readOnlyTokens.has(token)) return this.send(res, 403, { message: 'Resource not accessible by integration' })
      const id = this.nextId++
      const comment = { id, body: input.body, user: { login: kind.login }, html_url: `https://github.test/c/${id}` }
      this.comments.set(Number(list[1]), [...(this.comments.get(Number(list[1])) ?? []), comment])
      return this.send(res, 201, comment)
    }
    const one = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)
    if (one) {
      if (this.readOnlyTokens.has(token) && method !== 'GET') return this.send(res, 403, { message: 'Resource not accessible by integration' })
      for (const [issue, comments] of this.comments) {
        const found = comments.find(c => c.id === Number(one[1]))
        if (!found) continue
        if (method === 'PATCH') {
          found.body = input.body
          return this.send(res, 200, found)
        }
        if (method === 'DELETE') {
          this.comments.set(
            issue,
            comments.filter(c => c !== found)
          )
          return this.send(res, 204)
        }
        return this.send(res, 200, found)
      }
      return this.send(res, 404, { message: 'Not Found' })
    }
    this.send(res, 404, { message: 'Not Found' })
  }
}
