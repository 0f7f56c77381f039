import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { gunzipSync } from 'node:zlib'
import tar from 'tar-stream'
import { measureDockerArchive, measureFromEngine } from '../../src/measure.js'
import { helloRepository, ociLayoutOf, readOciImages, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git'))

/**
 * The route for builders that cannot export OCI (GitHub's default docker driver on the classic store):
 * measured from `docker save`, compared here with the exact OCI figures of the same image.
 */
describe('docker save route', () => {
  const repo = helloRepository()
  const image = `slim-test/route-${Date.now()}`
  let exact: { wire: number; unpacked: number; layers: Array<{ digest: string; size: number; mediaType: string }>; config: number; ociDir: string }

  beforeAll(async () => {
    const run = await runAction({ image, tags: `${image}:1` }, { workspace: repo.dir })
    expect(run.code).toBe(0)
    const report = JSON.parse(run.outputs['report-json'])
    const ociDir = ociLayoutOf(run)
    const [only] = readOciImages(ociDir)
    exact = {
      wire: report.measurement.images[0].wire,
      unpacked: report.measurement.images[0].unpacked,
      layers: only.manifest.layers,
      config: only.manifest.config.size,
      ociDir
    }
  })

  it('reads compressed layers from the engine as they are', async () => {
    const measured = await measureFromEngine(`${image}:1`, 'linux/amd64', mkdtempSync(path.join(tmpdir(), 'save-')))
    expect(measured.exact).toBe(false)
    expect(measured.images[0].wire).toBe(exact.wire)
    expect(measured.images[0].unpacked).toBe(exact.unpacked)
  })

  it('gzips uncompressed layers (the classic store format) to within 3% of the exact figure', async () => {
    // A classic-store archive: <id>/layer.tar uncompressed, manifest.json naming them.
    const archive = path.join(mkdtempSync(path.join(tmpdir(), 'classic-')), 'image.tar')
    const pack = tar.pack()
    const done = pipeline(pack, createWriteStream(archive))
    const layerNames = exact.layers.map((_, i) => `layer${i}/layer.tar`)
    pack.entry({ name: 'config.json' }, Buffer.alloc(exact.config, ' '))
    exact.layers.forEach((layer, i) => {
      pack.entry({ name: layerNames[i] }, gunzipSync(readFileSync(path.join(exact.ociDir, 'blobs/sha256', layer.digest.slice(7)))))
    })
    pack.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: 'config.json', RepoTags: [`${image}:1`], Layers: layerNames }]))
    pack.finalize()
    await done
    const measured = await measureDockerArchive(archive, 'linux/amd64')
    expect(measured.images[0].unpacked).toBe(exact.unpacked)
    expect(Math.abs(measured.images[0].wire - exact.wire) / exact.wire).toBeLessThan(0.03)
  })
})
