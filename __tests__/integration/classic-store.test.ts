/**
 * GitHub's ubuntu-24.04 runners: the plain docker driver on the classic image store, which can neither export
 * OCI nor hold a multi-platform image. Run on the tests' own classic engine (.ci/test-daemons.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { ENGINES, git, helloRepository, registryGet, requireTools, runAction, startRegistry } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git'))

const classic = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: ENGINES.classic } })
const onClassic = { DOCKER_HOST: '' }

describe('the classic image store (GitHub ubuntu-24.04 runners)', () => {
  beforeAll(() => {
    onClassic.DOCKER_HOST = ENGINES.classic
    expect(classic('info', '--format', '{{.Driver}}').stdout.trim()).toBe('overlay2')
  })

  it('builds, measures by docker save, and reports no manifest digest before a push', async () => {
    const repo = helloRepository('v3.1.0')
    const image = `slim-classic/hello-${Date.now()}`
    const run = await runAction({ image, 'smoke-test': 'version' }, { workspace: repo.dir, env: onClassic })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.summary).toContain('measured by: docker-save')
    expect(run.summary).toContain('its layers gzipped here')
    // The image the classic engine holds is the one built, and says which version it is.
    expect(classic('run', '--rm', '--network', 'none', `${image}:v3.1.0`, 'version').stdout).toBe(`Build: ${repo.sha}\nVersion: v3.1.0\n`)
    const id = classic('image', 'inspect', '--format', '{{.Id}}', `${image}:v3.1.0`).stdout.trim()
    expect(run.outputs.imageid).toBe(id)
    expect(run.outputs.digest).toBe('')
    classic('image', 'rm', `${image}:v3.1.0`)
  })

  it("pushes the very layers it measured: the engine's config, its layers gzipped once", async () => {
    const registry = await startRegistry()
    try {
      const repo = helloRepository()
      const name = `${registry.host}/acme/classic`
      const run = await runAction({ push: 'true', tags: `${name}:1`, load: 'true' }, { workspace: repo.dir, env: onClassic })
      expect(run.errors).toEqual([])
      const report = JSON.parse(run.outputs['report-json'])
      // The push carries its SBOM (the default with a push): an index made for the one image, as buildx makes one.
      const top = (await registryGet(registry.host, `acme/classic/manifests/${run.outputs.digest}`)).body
      expect(top.manifests.map((m: any) => m.annotations?.['vnd.docker.reference.type'] ?? 'image')).toEqual(['image', 'attestation-manifest'])
      const manifest = (await registryGet(registry.host, `acme/classic/manifests/${top.manifests[0].digest}`)).body
      const stored = manifest.config.size + manifest.layers.reduce((sum: number, l: { size: number }) => sum + l.size, 0)
      expect(report.measurement.images[0].wire).toBe(stored)
      expect(report.published.images[0].wire).toBe(stored)
      expect(new Set(manifest.layers.map((l: { mediaType: string }) => l.mediaType))).toEqual(new Set(['application/vnd.oci.image.layer.v1.tar+gzip']))
      // The config pushed is the engine's own (its digest is the loaded image's ID), and the pushed binary layer
      // unpacks to the diff ID that config names.
      const imageId = classic('image', 'inspect', '--format', '{{.Id}}', `${name}:1`).stdout.trim()
      expect(manifest.config.digest).toBe(imageId)
      const config = (await registryGet(registry.host, `acme/classic/blobs/${manifest.config.digest}`)).body
      const layer = await fetch(`http://${registry.host}/v2/acme/classic/blobs/${manifest.layers.at(-1).digest}`)
      const diffId = `sha256:${createHash('sha256')
        .update(gunzipSync(Buffer.from(await layer.arrayBuffer())))
        .digest('hex')}`
      expect(diffId).toBe(config.rootfs.diff_ids.at(-1))
      classic('image', 'rm', `${name}:1`)
    } finally {
      await registry.stop()
    }
  })

  it('three versions of one commit: each image holds its own binary', async () => {
    const repo = helloRepository()
    const image = `slim-classic/versions-${Date.now()}`
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const run = await runAction({ image, version }, { workspace: repo.dir, env: onClassic })
      expect(run.code).toBe(0)
      expect(classic('run', '--rm', '--network', 'none', `${image}:${version}`, 'version').stdout).toBe(`Build: ${repo.sha}\nVersion: ${version}\n`)
      classic('image', 'rm', `${image}:${version}`)
    }
  })

  it('load: false leaves no image in the engine, though measuring and the smoke test needed one', async () => {
    const repo = helloRepository()
    const image = `slim-classic/unloaded-${Date.now()}`
    const run = await runAction({ image, load: 'false', 'smoke-test': 'version' }, { workspace: repo.dir, env: onClassic })
    expect(run.code).toBe(0)
    expect(Number(run.outputs['image-size'])).toBeGreaterThan(1_000_000)
    expect(classic('image', 'inspect', `${image}:0.1.0`).status).not.toBe(0)
  })

  it('compares a pull request with its base and leaves no base image behind', async () => {
    const repo = helloRepository()
    const main = repo.sha
    git(repo.dir, 'checkout', '-q', '-b', 'grow')
    mkdirSync(path.join(repo.dir, 'internal/page'), { recursive: true })
    writeFileSync(
      path.join(repo.dir, 'internal/page/page.go'),
      'package page\n\nimport (\n\t"html/template"\n\t"io"\n)\n\nvar page = template.Must(template.New("p").Parse("<h1>{{.}}</h1>"))\n\nfunc Render(w io.Writer, s string) error { return page.Execute(w, s) }\n'
    )
    writeFileSync(
      path.join(repo.dir, 'page.go'),
      'package main\n\nimport (\n\t"os"\n\n\t"github.com/go-slim-image/hello/internal/page"\n)\n\nfunc init() { _ = page.Render(os.Stderr, "") }\n'
    )
    git(repo.dir, 'add', '-A')
    git(repo.dir, 'commit', '-qm', 'grow')
    const head = git(repo.dir, 'rev-parse', 'HEAD')
    const event = path.join(repo.dir, '..', `event-${Date.now()}.json`)
    writeFileSync(event, JSON.stringify({ number: 3, pull_request: { number: 3, base: { ref: 'main', sha: main }, head: { ref: 'grow', sha: head } } }))
    const image = `slim-classic/pr-${Date.now()}`
    const run = await runAction(
      { image, comment: 'false', 'max-increase': '50%' },
      { workspace: repo.dir, env: { ...onClassic, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event } }
    )
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.summary).toMatch(new RegExp(`Compared with base commit \\[?\`${main.slice(0, 12)}\``))
    expect(Number(run.outputs['size-delta'])).toBeGreaterThan(0)
    const left = execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: ENGINES.classic }
    })
    // The base, loaded under a tag of its run only to be measured, is gone; the change's image stays.
    expect(left.split('\n').filter(line => line.startsWith(`${image}:`))).toEqual([`${image}:0.1.0`])
    classic('image', 'rm', `${image}:0.1.0`)
  })

  it('refuses two platforms before building anything, and says what to add', async () => {
    const repo = helloRepository()
    const run = await runAction({ platforms: 'linux/amd64,linux/arm64' }, { workspace: repo.dir, env: onClassic })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toContain('docker/setup-buildx-action')
    expect(run.stdout).not.toContain('go build -trimpath')
  })
})
