// Loopback stand-ins for the Actions cache service: the v1 API (what act and GitHub Enterprise Server serve, and
// what @actions/cache speaks when ACTIONS_CACHE_SERVICE_V2 is unset: reserve, upload in ranges, commit, look up,
// download), and the v2 service of github.com (twirp, with Azurite as its blob storage). The tests use them to store
// and read measurements and to break the service; the bench, to time PR mode with the base read from the cache.
import { BlobSASPermissions, BlobServiceClient, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT } from './run-action.mjs'

const API = '/_apis/artifactcache/'

/**
 * As GitHub's service answers a lookup: the primary key matched exactly, else each restore key in order as a prefix,
 * the newest entry of the first that matches.
 */
function firstMatch(entries, keys, version) {
  for (const [index, key] of keys.entries()) {
    const matches = entries.filter(e => e.complete && e.version === version && (index === 0 ? e.key === key : e.key.startsWith(key)))
    if (matches.length > 0) return matches.at(-1)
  }
  return undefined
}

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
      const hit = firstMatch(this.entries, keys, version)
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

// Azurite's well-known development account (documented by Microsoft): not a secret.
const ACCOUNT = 'devstoreaccount1'
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const TWIRP = '/twirp/github.actions.results.api.v1.CacheService/'

/**
 * The v2 service github.com runs: its twirp API (create an entry, finalize it, get a download URL) on loopback,
 * whose signed URLs point at Azurite (Microsoft's Azure Storage emulator, started here on loopback), so that
 * @actions/cache's real v2 upload (the Azure SDK) and download code runs. Asked for by ACTIONS_CACHE_SERVICE_V2.
 */
export class CacheServiceV2 {
  entries = []
  requests = []
  faults = []
  url = ''
  #server
  #azurite
  #container
  #credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY)

  async start() {
    const blobUrl = await this.#startAzurite()
    this.#container = new BlobServiceClient(`${blobUrl}/${ACCOUNT}`, this.#credential).getContainerClient('caches')
    await this.#container.create()
    this.#server = createServer((request, response) => void this.#handle(request, response))
    await new Promise(resolve => this.#server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${this.#server.address().port}/`
  }

  async #startAzurite() {
    const bin = path.join(ROOT, 'node_modules/.bin/azurite-blob')
    const args = ['--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--silent']
    this.#azurite = spawn(bin, args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Azurite did not start:\n${output}`)), 30_000)
      const read = chunk => {
        output += chunk
        const listening = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (listening) {
          clearTimeout(timer)
          resolve(listening[1])
        }
      }
      this.#azurite.stdout.on('data', read)
      this.#azurite.stderr.on('data', read)
      this.#azurite.on('exit', code => reject(new Error(`Azurite exited with ${code}:\n${output}`)))
    })
  }

  async stop() {
    await new Promise(resolve => (this.#server ? this.#server.close(resolve) : resolve()))
    if (this.#azurite?.exitCode === null) {
      const exited = new Promise(resolve => this.#azurite.once('exit', resolve))
      this.#azurite.kill('SIGTERM')
      await exited
    }
  }

  /** The variables a github.com runner gives a job for this service. */
  env() {
    return { ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: this.url, ACTIONS_RUNTIME_TOKEN: 'runtime-token' }
  }

  find(keyPart) {
    return this.entries.filter(e => e.complete && e.key.includes(keyPart))
  }

  /** The entry's blob as stored in Azurite. */
  async blob(entry) {
    return this.#container.getBlockBlobClient(entry.blob).downloadToBuffer()
  }

  #signed(blob, permissions) {
    const query = generateBlobSASQueryParameters(
      {
        containerName: this.#container.containerName,
        blobName: blob,
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(Date.now() + 3_600_000)
      },
      this.#credential
    )
    return `${this.#container.getBlockBlobClient(blob).url}?${query.toString()}`
  }

  async #handle(request, response) {
    const chunks = []
    for await (const chunk of request) chunks.push(chunk)
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    const method = (request.url ?? '').startsWith(TWIRP) ? request.url.slice(TWIRP.length) : ''
    this.requests.push({ method: request.method, path: request.url })
    const fault = this.faults.find(f => f.times > 0 && f.method === request.method && f.path.test(request.url))
    if (fault) {
      fault.times--
      if (fault.status === undefined) return
      return json(response, fault.status, { code: 'internal', msg: 'fault' })
    }
    if (method === 'CreateCacheEntry') {
      if (this.entries.some(e => e.key === body.key && e.version === body.version)) return json(response, 200, { ok: false, message: 'Cache already exists.' })
      const entry = { id: this.entries.length + 1, key: body.key, version: body.version, blob: `entry-${this.entries.length + 1}`, complete: false }
      this.entries.push(entry)
      return json(response, 200, { ok: true, signedUploadUrl: this.#signed(entry.blob, 'cw') })
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const entry = this.entries.find(e => e.key === body.key && e.version === body.version && !e.complete)
      if (!entry) return json(response, 200, { ok: false, message: 'no such entry' })
      entry.complete = true
      return json(response, 200, { ok: true, entryId: String(entry.id) })
    }
    if (method === 'GetCacheEntryDownloadURL') {
      const keys = [body.key, ...(body.restoreKeys ?? [])]
      const hit = firstMatch(this.entries, keys, body.version)
      if (!hit) return json(response, 200, { ok: false })
      return json(response, 200, { ok: true, signedDownloadUrl: this.#signed(hit.blob, 'r'), matchedKey: hit.key })
    }
    json(response, 404, { code: 'bad_route', msg: `no route ${request.url}` })
  }
}
