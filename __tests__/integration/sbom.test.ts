/**
 * The SBOM made from the binary's build info, read back as every reader of BuildKit's attestations reads it: from
 * the registry's index, through `docker buildx imagetools inspect`, and held against `go version -m` of the binary
 * taken out of the pushed image; and the pushed digest signed and verified with cosign, as the README's release does.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { docker, git, registryGet, requireTools, ROOT, runAction, startRegistry, type Registry } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git', 'docker-registry', 'upx'))

const SPDX = 'https://spdx.dev/Document'

/** examples/api as a repository of its own, tagged: a real dependency tree. */
function apiRepository(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'api-repo-'))
  cpSync(path.join(ROOT, 'examples/api'), dir, { recursive: true })
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'api')
  git(dir, 'tag', 'v1.4.0')
  return dir
}

async function blob(host: string, repository: string, digest: string): Promise<Buffer> {
  const response = await fetch(`http://${host}/v2/${repository}/blobs/${digest}`)
  if (!response.ok) throw new Error(`GET blob ${digest}: ${response.status}`)
  return Buffer.from(await response.arrayBuffer())
}

/** A file of the pushed image, from the topmost layer that holds it, as tar reads it. */
async function fileFromRegistry(host: string, repository: string, manifestDigest: string, file: string): Promise<Buffer> {
  const manifest = (await registryGet(host, `${repository}/manifests/${manifestDigest}`)).body
  const scratch = mkdtempSync(path.join(tmpdir(), 'layer-'))
  for (const layer of [...manifest.layers].reverse()) {
    const tarball = path.join(scratch, layer.digest.slice(7))
    writeFileSync(tarball, await blob(host, repository, layer.digest))
    if (execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').includes(file))
      return execFileSync('tar', ['-xzOf', tarball, file], { maxBuffer: 256 * 1024 * 1024 })
  }
  throw new Error(`no layer holds ${file}`)
}

/** `go version -m` of a binary: its modules as built (a replacement's path, version and sum when one was). */
function goVersionModules(file: string): Array<{ name: string; version: string; sha256?: string }> {
  const lines = execFileSync('go', ['version', '-m', file], { encoding: 'utf8' }).split('\n')
  const modules: Array<{ name: string; version: string; sha256?: string }> = []
  for (const line of lines) {
    const [kind, modulePath, version, sum] = line.trim().split('\t')
    const sha256 = sum ? Buffer.from(sum.slice(3), 'base64').toString('hex') : undefined
    if (kind === 'dep') modules.push({ name: modulePath, version, sha256 })
    else if (kind === '=>') Object.assign(modules[modules.length - 1], { version, sha256 })
  }
  return modules.sort((a, b) => a.name.localeCompare(b.name))
}

describe('sbom: an SPDX document from the build info, attached as BuildKit attaches one', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(() => registry.stop())
  const repo = apiRepository()
  // The first test's push: what the signing test signs.
  let pushed = ''
  const tagPush = { GITHUB_REF: 'refs/tags/v1.4.0', GITHUB_REF_NAME: 'v1.4.0', GITHUB_REPOSITORY: 'acme/api' }

  it('two platforms pushed, UPX-packed: each SPDX document read back lists exactly what go version -m reads in its binary', async () => {
    const name = `${registry.host}/acme/api`
    const run = await runAction(
      { push: 'true', platforms: 'linux/amd64,linux/arm64', tags: `${name}:1.4.0`, sbom: 'true', upx: '1', provenance: 'mode=min', load: 'false' },
      { workspace: repo, env: tagPush }
    )
    expect(run.errors).toEqual([])
    pushed = run.outputs.digest
    const index = (await registryGet(registry.host, 'acme/api/manifests/1.4.0')).body
    const images = index.manifests.filter((m: any) => m.platform.os !== 'unknown')
    expect(images).toHaveLength(2)
    for (const image of images) {
      const attestation = index.manifests.find((m: any) => m.annotations?.['vnd.docker.reference.digest'] === image.digest)
      expect(attestation.annotations['vnd.docker.reference.type']).toBe('attestation-manifest')
      const layers = (await registryGet(registry.host, `acme/api/manifests/${attestation.digest}`)).body.layers
      // Beside buildx's provenance, in the same attestation manifest.
      expect(layers.map((l: any) => l.annotations['in-toto.io/predicate-type'])).toEqual(['https://slsa.dev/provenance/v0.2', SPDX])
      const statement = JSON.parse((await blob(registry.host, 'acme/api', layers[1].digest)).toString('utf8'))
      expect(statement.subject[0].digest.sha256).toBe(image.digest.slice(7))
      const document = statement.predicate
      expect(document.spdxVersion).toBe('SPDX-2.3')

      const binary = await fileFromRegistry(registry.host, 'acme/api', image.digest, 'usr/bin/api')
      // The binary in the image is packed (UPX hides the build info): the document was read from the plain binary.
      expect(binary.includes(Buffer.from('UPX!'))).toBe(true)
      const [, , stdlib, ...deps] = document.packages
      const unpacked = path.join(mkdtempSync(path.join(tmpdir(), 'unpacked-')), 'api')
      writeFileSync(unpacked, binary)
      execFileSync('upx', ['-q', '-d', unpacked], { stdio: 'ignore' })
      const expected = goVersionModules(unpacked)
      const listed = deps.map((p: any) => ({ name: p.name, version: p.versionInfo, sha256: p.checksums?.[0].checksumValue }))
      expect(listed).toEqual(expected)
      expect(listed.length).toBeGreaterThan(8)
      expect(stdlib.versionInfo).toBe(JSON.parse(run.outputs['report-json']).goVersion)
      expect(document.packages[0].checksums[0].checksumValue).toBe(createHash('sha256').update(binary).digest('hex'))
      expect(document.packages[0].comment).toContain(`GOARCH=${image.platform.architecture}`)
    }

    // What docker's own tools read: buildx finds an SBOM per platform.
    const inspected = JSON.parse(docker('buildx', 'imagetools', 'inspect', `${name}:1.4.0`, '--format', '{{json .SBOM}}'))
    for (const platform of ['linux/amd64', 'linux/arm64']) expect(inspected[platform].SPDX.spdxVersion).toBe('SPDX-2.3')

    const report = JSON.parse(run.outputs['report-json'])
    expect(report.attestations).toEqual([
      { platform: 'linux/amd64', predicates: ['https://slsa.dev/provenance/v0.2', SPDX] },
      { platform: 'linux/arm64', predicates: ['https://slsa.dev/provenance/v0.2', SPDX] }
    ])
    expect(run.summary).toContain(
      'Attested with it: linux/amd64: SLSA provenance v0.2, SPDX SBOM from the build info; linux/arm64: SLSA provenance v0.2, SPDX SBOM from the build info.'
    )
  })

  it('cosign signs the pushed digest with a key pair and verifies it on the registry; another key does not verify', () => {
    expect(pushed).toMatch(/^sha256:/)
    const cosign = execFileSync('bash', [path.join(ROOT, '.ci/cosign.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()
    const keys = mkdtempSync(path.join(tmpdir(), 'cosign-'))
    const other = mkdtempSync(path.join(tmpdir(), 'cosign-other-'))
    // Offline, as this machine is: no transparency log, a registry on plain HTTP.
    const env = { ...process.env, COSIGN_PASSWORD: '', HOME: keys }
    const run = (cwd: string, ...args: string[]) => spawnSync(cosign, args, { cwd, env, encoding: 'utf8' })
    for (const dir of [keys, other]) expect(run(dir, 'generate-key-pair').status).toBe(0)
    const reference = `${registry.host}/acme/api@${pushed}`
    const signed = run(keys, 'sign', '--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--yes', reference)
    expect(signed.stderr).not.toMatch(/error/i)
    expect(signed.status).toBe(0)
    const verified = run(keys, 'verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', reference)
    expect(verified.status).toBe(0)
    expect(JSON.parse(verified.stdout)[0].critical.image['docker-manifest-digest']).toBe(pushed)
    const forged = run(other, 'verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', reference)
    expect(forged.status).not.toBe(0)
    expect(forged.stderr).toMatch(/no matching signatures/i)
  })

  it('one commit pushed twice gives one digest, its SBOMs included', async () => {
    const name = `${registry.host}/acme/api-repro`
    const inputs = { push: 'true', platforms: 'linux/amd64', tags: `${name}:1`, provenance: 'false', load: 'false' }
    docker('buildx', 'prune', '-af')
    const first = await runAction(inputs, { workspace: repo, env: tagPush })
    docker('buildx', 'prune', '-af')
    const second = await runAction(inputs, { workspace: repo, env: tagPush })
    expect(first.errors).toEqual([])
    expect(second.outputs.digest).toBe(first.outputs.digest)
    // A single platform gets an index made for it, to carry its SBOM (the default on a push).
    const index = (await registryGet(registry.host, `acme/api-repro/manifests/${first.outputs.digest}`)).body
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(index.manifests.map((m: any) => m.annotations?.['vnd.docker.reference.type'] ?? 'image')).toEqual(['image', 'attestation-manifest'])
  })

  it('sbom: bogus is one clear sentence before anything is built', async () => {
    const run = await runAction({ sbom: 'bogus' }, { workspace: repo, env: tagPush })
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([expect.stringContaining('sbom "bogus" must be true (an SPDX SBOM made from the binary\'s build info), false, buildkit')])
    expect(run.stdout).not.toContain('go build -trimpath')
  })
})
