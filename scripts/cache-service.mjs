// A loopback stand-in for the Actions cache service, v1 API (what act and GitHub Enterprise Server serve, and what
// @actions/cache speaks when ACTIONS_CACHE_SERVICE_V2 is unset): reserve, upload in ranges, commit, look up,
// download. The tests use it to store and read measurements and to break the service; the bench, to time PR mode
// with the base read from the cache.
import { createServer } from 'node:http'

const API = '/_apis/artifactcache/'

export class CacheService {
  entries = []
  requests = []
  /** { method, path: RegExp, status?: number (none: never answer), times } */
  faults = []
  url = ''
  #server
  #sockets = new Set()

  async start() {
    this.#server = createServer((request, response) => void this.#handle(request, response))
    this.#server.on('connection', socket => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
    await new Promise(resolve => this.#server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${this.#server.address().port}/`
  }

  async stop() {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise(resolve => (this.#server ? this.#server.close(resolve) : resolve()))
  }

  /** The variables a runner gives a job for this service. */
  env() {
    return { ACTIONS_CACHE_URL: this.url, ACTIONS_RUNTIME_TOKEN: 'runtime-token' }
  }

  /** Complete entries whose key holds `keyPart`. */
  find(keyPart) {
    return this.entries.filter(e => e.complete && e.key.includes(keyPart))
  }

  async #handle(request, response) {
    const url = new URL(request.url ?? '/', this.url)
    const chunks = []
    for await (const chunk of request) chunks.push(chunk)
    const body = Buffer.concat(chunks)
    this.requests.push({ method: request.method, path: url.pathname + url.search })
    const fault = this.faults.find(f => f.times > 0 && f.method === request.method && f.path.test(url.pathname + url.search))
    if (fault) {
      fault.times--
      if (fault.status === undefined) return
      return json(response, fault.status, { message: 'fault' })
    }
    const rest = url.pathname.startsWith(API) ? url.pathname.slice(API.length) : ''
    const id = Number(/^(?:caches|archive)\/(\d+)$/.exec(rest)?.[1])
    const entry = this.entries.find(e => e.id === id)
    if (request.method === 'GET' && rest === 'cache') {
      const keys = (url.searchParams.get('keys') ?? '').split(',')
      const version = url.searchParams.get('version')
      const hit = this.entries.find(e => e.complete && e.version === version && keys.includes(e.key))
      if (!hit) return json(response, 204)
      return json(response, 200, { cacheKey: hit.key, archiveLocation: `${this.url.slice(0, -1)}${API}archive/${hit.id}` })
    }
    if (request.method === 'POST' && rest === 'caches') {
      const { key, version } = JSON.parse(body.toString('utf8') || '{}')
      if (this.entries.some(e => e.key === key && e.version === version)) return json(response, 409, { message: 'Cache already exists.' })
      const created = { id: this.entries.length + 1, key, version, data: Buffer.alloc(0), complete: false }
      this.entries.push(created)
      return json(response, 201, { cacheId: created.id })
    }
    if (request.method === 'PATCH' && entry && !entry.complete) {
      const start = Number(/bytes (\d+)-/.exec(request.headers['content-range'] ?? '')?.[1] ?? 0)
      const data = Buffer.alloc(Math.max(entry.data.length, start + body.length))
      entry.data.copy(data)
      body.copy(data, start)
      entry.data = data
      return json(response, 204)
    }
    if (request.method === 'POST' && entry && !entry.complete) {
      entry.complete = true
      return json(response, 204)
    }
    if (request.method === 'GET' && rest.startsWith('archive/') && entry) {
      response.writeHead(200, { 'content-length': entry.data.length, 'content-type': 'application/octet-stream' })
      return response.end(entry.data)
    }
    json(response, 404, { message: `no route for ${request.method} ${url.pathname}` })
  }
}

function json(response, status, body) {
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' })
  response.end(body === undefined ? undefined : JSON.stringify(body))
}
