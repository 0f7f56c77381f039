import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { type PushTarget, byRepository } from '../settings/index.js'
import { boundedJson } from './bounded.js'

/**
 * Before anything is built, every repository a push would write to is asked for an upload, with the runner's
 * Docker login, and the upload is cancelled at once: a repository that cannot be reached or written is found
 * while nothing is published, so a push never stops half-way through its tags for those reasons.
 */

/** The registry API's base URL; Docker treats loopback registries as plain HTTP. */
export function registryUrl(host: string): string {
  if (host === 'docker.io') return 'https://registry-1.docker.io'
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host)
  return `${loopback ? 'http' : 'https'}://${host}`
}

interface Credentials {
  username: string
  secret: string
}

/** The login `docker login` stored for this host: an auth entry, a credential helper, or the credential store. */
export function dockerCredentials(host: string, configDir = process.env.DOCKER_CONFIG ?? path.join(homedir(), '.docker')): Credentials | undefined {
  const file = path.join(configDir, 'config.json')
  if (!existsSync(file)) return undefined
  const config = parseDockerConfig(file) as {
    auths?: Record<string, { auth?: string }>
    credHelpers?: Record<string, string>
    credsStore?: string
  }
  const keys = host === 'docker.io' ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io'] : [host, `https://${host}`, `http://${host}`]
  const helper = config.credHelpers?.[host] ?? config.credsStore
  if (helper) {
    const result = spawnSync(`docker-credential-${helper}`, ['get'], { input: keys[0], encoding: 'utf8', timeout: 10_000 })
    if (result.status === 0) {
      const found = JSON.parse(result.stdout) as { Username: string; Secret: string }
      return { username: found.Username, secret: found.Secret }
    }
  }
  for (const key of keys) {
    const auth = config.auths?.[key]?.auth
    if (auth) {
      const decoded = Buffer.from(auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      return { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) }
    }
  }
  return undefined
}

/** The Docker login file is the user's: a broken one is named as the cause, not taken for a registry that is down. */
function parseDockerConfig(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new Error(`the Docker login file ${file} is not valid JSON (${(error as Error).message}): fix or remove it, then log in again`, { cause: error })
  }
}

/**
 * Why a request to `host` failed, in words, with `advice` on what to do; undefined when the error is not the
 * network's. fetch itself says only "fetch failed": its cause (a refused connection, a host not found, a reset, a
 * timeout, a port it will not use) is the news.
 */
export function networkReason(error: unknown, host: string, advice?: string): string | undefined {
  const e = error as Error & { cause?: { code?: string; message?: string } }
  // Node's fetch fails with "fetch failed", or "terminated" mid-body, its cause a socket error with a code; or with
  // a TimeoutError from its signal.
  if (e.message !== 'fetch failed' && !e.cause?.code && e.name !== 'TimeoutError') return undefined
  const cause = e.cause?.code ?? e.cause?.message ?? e.message
  if (/bad port/i.test(cause)) {
    return `${host} is on a port that Node's HTTP client refuses to use (the Fetch standard's "bad ports", like 6000 for X11): serve the registry on another port`
  }
  const why = e.name === 'TimeoutError' ? `${host} gave no answer in time (${e.message})` : `${host} cannot be reached (${cause})`
  return advice ? `${why}: ${advice}` : why
}

/** `Bearer realm="…",service="…"` → its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ')
  const params: Record<string, string> = {}
  for (const match of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[match[1]] = match[2]
  return { scheme: header.slice(0, space).toLowerCase(), params }
}

const basic = (c: Credentials) => `Basic ${Buffer.from(`${c.username}:${c.secret}`).toString('base64')}`
const TIMEOUT_MS = 15_000

/** The Authorization header the registry's challenge asks for, or undefined when the login cannot meet it. */
async function authorize(challenge: string, target: PushTarget, credentials: Credentials | undefined, actions: string): Promise<string | undefined> {
  const { scheme, params } = parseChallenge(challenge)
  if (scheme === 'basic') return credentials && basic(credentials)
  if (scheme !== 'bearer' || !params.realm) return undefined
  const url = new URL(params.realm)
  if (params.service) url.searchParams.set('service', params.service)
  url.searchParams.set('scope', `repository:${target.name}:${actions}`)
  const response = await fetch(url, { headers: credentials ? { authorization: basic(credentials) } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) })
  if (!response.ok) return undefined
  const body = await boundedJson<{ token?: string; access_token?: string }>(response, 'the token answer')
  const token = body.token ?? body.access_token
  return token ? `Bearer ${token}` : undefined
}

/** Sends a request, and once more with the Authorization the registry's challenge asks for when it answers 401. */
async function withLogin(
  send: (authorization?: string) => Promise<Response>,
  target: PushTarget,
  login: () => Credentials | undefined,
  actions: string
): Promise<{ response: Response; authorization?: string }> {
  const response = await send()
  const challenge = response.headers.get('www-authenticate')
  if (response.status !== 401 || !challenge) return { response }
  const authorization = await authorize(challenge, target, login(), actions)
  return authorization ? { response: await send(authorization), authorization } : { response }
}

/** Why the runner cannot push to `target`, or undefined when it can (an upload was opened and cancelled). */
export async function pushProblem(target: PushTarget): Promise<string | undefined> {
  const url = `${registryUrl(target.host)}/v2/${target.name}/blobs/uploads/`
  const post = (authorization?: string) =>
    fetch(url, { method: 'POST', headers: authorization ? { authorization } : {}, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) })
  try {
    const credentials = dockerCredentials(target.host)
    const { response, authorization } = await withLogin(post, target, () => credentials, 'push,pull')
    if (response.status === 202) {
      const location = response.headers.get('location')
      // Cancel the upload: nothing is left in the registry.
      if (location)
        await fetch(new URL(location, url), {
          method: 'DELETE',
          headers: authorization ? { authorization } : {},
          signal: AbortSignal.timeout(TIMEOUT_MS)
        }).catch(() => undefined)
      return undefined
    }
    if (response.status === 401 || response.status === 403) {
      return credentials
        ? `the login for ${target.host} may not push to ${target.name} (HTTP ${response.status}): use a user or token with write access (for ghcr.io, "permissions: packages: write")`
        : `no login for ${target.host} (HTTP ${response.status}): log in before this step (docker/login-action) with a user that may push to ${target.name}`
    }
    return `${target.host} answered an upload of ${target.name} with HTTP ${response.status}`
  } catch (error) {
    return networkReason(error, target.host, 'check the host in tags, or that the registry is up') ?? (error as Error).message
  }
}

/** Every distinct repository of `references` checked; one line per repository that cannot be pushed to. */
export async function pushProblems(references: string[]): Promise<string[]> {
  const problems = await Promise.all(byRepository(references).map(async ({ target }) => ({ target, problem: await pushProblem(target) })))
  return problems.filter(p => p.problem).map(p => `${p.target.host}/${p.target.name}: ${p.problem}`)
}

export type RegistryRequest = (
  pathname: string,
  init?: { method?: string; headers?: Record<string, string>; body?: Uint8Array<ArrayBuffer> }
) => Promise<Response>

/**
 * Requests to one repository's registry API (`pathname` after /v2/NAME/, or a full URL the registry handed out)
 * with the runner's Docker login: the registry's challenge is answered once and its answer kept for the rest.
 */
export function registrySession(target: PushTarget, actions: string, timeoutMs = 120_000): RegistryRequest {
  const base = `${registryUrl(target.host)}/v2/${target.name}/`
  let authorization: string | undefined
  return async (pathname, init = {}) => {
    const url = new URL(pathname, base)
    const send = (auth?: string) =>
      fetch(url, {
        method: init.method ?? 'GET',
        headers: { ...init.headers, ...(auth ? { authorization: auth } : {}) },
        body: init.body,
        signal: AbortSignal.timeout(timeoutMs)
      })
    if (authorization) {
      const response = await send(authorization)
      if (response.status !== 401) return response
    }
    const answered = await withLogin(send, target, () => dockerCredentials(target.host), actions)
    authorization = answered.authorization ?? authorization
    return answered.response
  }
}

/**
 * GET from a repository's registry API with the runner's Docker login, answering the registry's challenge as
 * `docker pull` would (pull scope). Blob redirects to storage are followed.
 */
export async function registryRead(target: PushTarget, pathname: string, accept?: string, timeoutMs = 60_000): Promise<Response> {
  return registrySession(target, 'pull', timeoutMs)(pathname, { headers: accept ? { accept } : {} })
}
