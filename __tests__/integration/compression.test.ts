/**
 * compression: zstd, done by the action itself: the registry holds zstd layers, the reported wire size is the
 * registry's config plus layers, the attestation still names the image it describes, and the pulled image runs.
 * With gzip, a pull request's report measures the road not taken: the same layers with zstd.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { docker, git, helloRepository, registryGet, requireTools, runAction, startRegistry, type Registry } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git', 'docker-registry'))

const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd'

describe('zstd layers', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(() => registry.stop())
  const repo = helloRepository('v2.0.0')

  it('pushes zstd layers; the reported wire is what the registry stores; the attestation names the new manifest', async () => {
    const name = `${registry.host}/acme/zstd`
    const run = await runAction({ push: 'true', tags: `${name}:2`, compression: 'zstd', platforms: 'linux/amd64,linux/arm64' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    const report = JSON.parse(run.outputs['report-json'])
    const index = (await registryGet(registry.host, 'acme/zstd/manifests/2')).body
    expect(index.manifests.length).toBeGreaterThan(2)
    const images = index.manifests.filter((m: any) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
    const attestations = index.manifests.filter((m: any) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
    expect(images).toHaveLength(2)
    for (const descriptor of images) {
      const platform = `${descriptor.platform.os}/${descriptor.platform.architecture}`
      const manifest = (await registryGet(registry.host, `acme/zstd/manifests/${descriptor.digest}`)).body
      expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(manifest.layers.map(() => ZSTD))
      const stored = manifest.config.size + manifest.layers.reduce((sum: number, l: { size: number }) => sum + l.size, 0)
      expect(report.measurement.images.find((i: any) => i.platform === platform).wire).toBe(stored)
      expect(report.published.images.find((i: any) => i.platform === platform).wire).toBe(stored)
    }
    // Provenance (buildx's default) describes each image by its manifest digest: the rewritten ones.
    expect(attestations.map((a: any) => a.annotations['vnd.docker.reference.digest']).sort()).toEqual(images.map((m: any) => m.digest).sort())
    for (const attestation of attestations) {
      const manifest = (await registryGet(registry.host, `acme/zstd/manifests/${attestation.digest}`)).body
      const statement = (await registryGet(registry.host, `acme/zstd/blobs/${manifest.layers[0].digest}`)).body
      expect(statement.subject.map((s: any) => `sha256:${s.digest.sha256}`)).toEqual([attestation.annotations['vnd.docker.reference.digest']])
    }
    expect(run.summary).toContain('layers: zstd 19, compressed by the action')

    // What a user pulls unpacks and runs.
    docker('image', 'rm', '-f', `${name}:2`)
    docker('pull', '--platform', 'linux/amd64', `${name}:2`)
    expect(docker('run', '--rm', '--platform', 'linux/amd64', `${name}:2`, 'version')).toBe(`Build: ${repo.sha}\nVersion: v2.0.0`)
  })

  it("a pull request with gzip layers reports the zstd road not taken, and it is the zstd run's own figure", async () => {
    const event = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
    const sha = git(repo.dir, 'rev-parse', 'HEAD')
    writeFileSync(event, JSON.stringify({ number: 7, pull_request: { number: 7, base: { ref: 'main', sha }, head: { ref: 'x', sha } } }))
    const pullRequest = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_REPOSITORY: 'acme/hello' }
    const inputs = { image: 'acme/road', compare: 'off', comment: 'false', version: '1.0.0' }
    const gzip = await runAction(inputs, { workspace: repo.dir, env: pullRequest })
    expect(gzip.errors).toEqual([])
    const road = JSON.parse(gzip.outputs['report-json']).roadNotTaken
    expect(road.images).toHaveLength(1)
    expect(gzip.summary).toContain('Smaller with no start-up cost')

    const zstd = await runAction({ ...inputs, compression: 'zstd' }, { workspace: repo.dir, env: pullRequest })
    expect(zstd.errors).toEqual([])
    const taken = JSON.parse(zstd.outputs['report-json'])
    expect(taken.roadNotTaken).toBeUndefined()
    expect(road.images[0].wire).toBe(taken.measurement.images[0].wire)
    expect(road.images[0].wire).toBeLessThan(Number(gzip.outputs['image-size']))
  })

  it('refuses a level out of range before building anything', async () => {
    const run = await runAction({ compression: 'zstd', 'compression-level': '23' }, { workspace: repo.dir })
    expect(run.code).toBe(1)
    expect(run.errors[0]).toContain('compression-level "23" must be a whole number from 1 to 22 for zstd, or empty')
  })
})
