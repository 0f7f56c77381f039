/**
 * The builders users set up besides the docker driver, on BuildKit built from the module proxy (.ci/buildkit.sh):
 * a docker-container builder, as docker/setup-buildx-action creates it, and a remote one on a buildkitd of the
 * tests' own (buildx's remote driver, as teams that build off the runner use it). Each runs the pipeline, a pull
 * request comparison and a two-platform release; what they made is read back from the image and the registry.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FakeGitHub } from './github-fake.js'
import {
  checkoutPullRequest,
  docker,
  ENGINES,
  git,
  helloRepository,
  pullRequestRunner,
  registryGet,
  requireTools,
  ROOT,
  runAction,
  startRegistry,
  type Registry
} from './harness.js'

const BUILDKIT = path.join(ROOT, '.ci/buildkit.sh')
const suffix = `${process.pid}`
const names = { container: `gsi-container-${suffix}`, remote: `gsi-remote-${suffix}` }

let buildkitd: ChildProcess | undefined
let buildkitRoot = ''

/** A docker-container builder from the local BuildKit image; host network, so it reaches the loopback registry. */
function createContainerBuilder(): void {
  const image = execFileSync('bash', [BUILDKIT, 'image', ENGINES.containerd], { encoding: 'utf8' }).trim()
  docker('buildx', 'create', '--name', names.container, '--driver', 'docker-container', '--driver-opt', `image=${image},network=host`, '--bootstrap')
}

/** buildkitd of the tests' own on a unix socket, and a remote builder on it. */
async function createRemoteBuilder(): Promise<void> {
  const bin = execFileSync('bash', [BUILDKIT, 'bin'], { encoding: 'utf8' }).trim()
  buildkitRoot = mkdtempSync(path.join(tmpdir(), 'buildkitd-'))
  const socket = path.join(buildkitRoot, 'buildkitd.sock')
  buildkitd = spawn(
    path.join(bin, 'buildkitd'),
    ['--addr', `unix://${socket}`, '--root', path.join(buildkitRoot, 'root'), '--oci-worker=true', '--containerd-worker=false'],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise(resolve => setTimeout(resolve, 100))
  if (!existsSync(socket)) throw new Error('buildkitd did not open its socket')
  docker('buildx', 'create', '--name', names.remote, '--driver', 'remote', `unix://${socket}`, '--bootstrap')
}

beforeAll(async () => {
  requireTools('go', 'docker', 'git', 'docker-registry', 'runc')
  createContainerBuilder()
  await createRemoteBuilder()
}, 900_000)

afterAll(async () => {
  for (const name of Object.values(names)) spawnSync('docker', ['buildx', 'rm', '-f', name], { stdio: 'ignore', env: process.env })
  // Ours, by its process: it unmounts what it mounted before its folder goes.
  if (buildkitd && buildkitd.exitCode === null) {
    const exited = new Promise(resolve => buildkitd!.once('exit', resolve))
    buildkitd.kill()
    await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 10_000))])
  }
  if (buildkitRoot) rmSync(buildkitRoot, { recursive: true, force: true })
})

/** An origin with main and a branch that adds a table to the program: what a pull request compares. */
function originRepository(): string {
  const origin = mkdtempSync(path.join(tmpdir(), 'origin-'))
  git(origin, 'init', '-q', '--bare', '-b', 'main')
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true')
  const { dir } = helloRepository()
  git(dir, 'remote', 'add', 'origin', origin)
  git(dir, 'push', '-q', 'origin', 'main')
  git(dir, 'checkout', '-q', '-b', 'grow')
  writeFileSync(
    path.join(dir, 'table.go'),
    `package main\n\nimport "os"\n\nvar table = [8192]uint32{${Array.from({ length: 8192 }, (_, i) => i * 7).join(', ')}}\n\n// Read at an index known only at run time, so the linker keeps the table.\nfunc init() {\n\tif len(os.Args) > 99 {\n\t\tprintln(table[len(os.Args)])\n\t}\n}\n`
  )
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'a table')
  git(dir, 'push', '-q', 'origin', 'grow')
  return origin
}

describe.each([
  ['docker-container', names.container],
  ['remote', names.remote]
])('a %s builder', (driver, builder) => {
  const api = new FakeGitHub()
  let registry: Registry
  const origin = originRepository()
  beforeAll(async () => {
    registry = await startRegistry()
    await api.start()
  })
  afterAll(async () => {
    await registry.stop()
    await api.stop()
  })

  it('runs the pipeline: the image it loads runs and knows its version', async () => {
    const repo = helloRepository('v4.0.0')
    const image = `slim-builders/${driver}-${Date.now()}`
    const run = await runAction({ image, builder, 'smoke-test': 'version' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.stdout).toContain(`driver ${driver}`)
    expect(docker('run', '--rm', '--network', 'none', `${image}:v4.0.0`, 'version')).toBe(`Build: ${repo.sha}\nVersion: v4.0.0`)
    const report = JSON.parse(run.outputs['report-json'])
    expect(report.measurement.route).toBe('oci')
    expect(report.measurement.images[0].wire).toBe(Number(run.outputs['image-size']))
    docker('image', 'rm', `${image}:v4.0.0`)
  })

  it('compares a pull request with its base, both built by it', async () => {
    // A repository of its own: with load false the run untags its image, which another test file's smoke test may be running.
    const run = await pullRequestRunner(api, `acme/builders-${driver}`)(checkoutPullRequest(origin, 41, 'main', 'grow'), { builder, load: 'false' })
    expect(run.errors).toEqual([])
    const body = api.comments.get(41)![0].body
    const report = JSON.parse(run.outputs['report-json'])
    expect(report.baseline.source).toBe('build')
    const [head, base] = [report.binaries[0].stripped, report.baseline.images[0].binary]
    // The table is 32 KiB of data the linker sizes: the binary grew by at least that.
    expect(head - base).toBeGreaterThanOrEqual(8192 * 4)
    expect(body).toContain('rebuilt in this run')
  })

  it('releases two platforms: the index and each manifest in the registry are what the report says', async () => {
    const repo = helloRepository('v4.1.0')
    const name = `${registry.host}/acme/${driver}`
    const run = await runAction(
      { builder, push: 'true', platforms: 'linux/amd64,linux/arm64', tags: `${name}:4.1.0`, 'smoke-test': '' },
      { workspace: repo.dir, env: { GITHUB_REF: 'refs/tags/v4.1.0', GITHUB_REPOSITORY: `acme/builders-${driver}` } }
    )
    expect(run.errors).toEqual([])
    const index = await registryGet(registry.host, `acme/${driver}/manifests/4.1.0`)
    expect(index.digest).toBe(run.outputs.digest)
    const platforms = index.body.manifests.filter((m: any) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
    expect(platforms.map((m: any) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64'])
    const report = JSON.parse(run.outputs['report-json'])
    for (const descriptor of platforms) {
      const platform = `${descriptor.platform.os}/${descriptor.platform.architecture}`
      const manifest = (await registryGet(registry.host, `acme/${driver}/manifests/${descriptor.digest}`)).body
      const stored = manifest.config.size + manifest.layers.reduce((sum: number, l: { size: number }) => sum + l.size, 0)
      expect(report.measurement.images.find((i: any) => i.platform === platform).wire).toBe(stored)
      expect(report.published.images.find((i: any) => i.platform === platform).wire).toBe(stored)
    }
  })

  it('a final stage on an image comes from the registry; one only the engine holds is refused, saying why', async () => {
    const repo = helloRepository('v4.2.0')
    // The release above pushed acme/<driver>:4.1.0: the final stage of this build, pulled by the builder itself.
    const base = `${registry.host}/acme/${driver}:4.1.0`
    const image = `slim-builders/${driver}-on-image-${Date.now()}`
    const run = await runAction({ image, builder, 'final-stage': base, 'smoke-test': 'version' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(docker('run', '--rm', '--network', 'none', `${image}:v4.2.0`, 'version')).toBe(`Build: ${repo.sha}\nVersion: v4.2.0`)
    docker('image', 'rm', `${image}:v4.2.0`)

    const engineOnly = `slim-builders/engine-only-${Date.now()}:1`
    const context = mkdtempSync(path.join(tmpdir(), 'engine-only-'))
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /\n')
    docker('build', '-q', '-t', engineOnly, context)
    const refused = await runAction({ image, builder, 'final-stage': engineOnly }, { workspace: repo.dir })
    expect(refused.code).not.toBe(0)
    expect(refused.errors.join('\n')).toContain(
      `final-stage "${engineOnly}" is an image of this Docker engine, but the ${driver} builder "${builder}" runs BuildKit of its own, which does not see the engine's images`
    )
    // Refused before anything was built.
    expect(refused.stdout).not.toContain('go build')
    docker('image', 'rm', engineOnly)
  })
})
