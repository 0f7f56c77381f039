import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync, zstdDecompressSync } from 'node:zlib'
import { recompressLayout, wireWith } from '../../../src/image/compress.js'
import { layoutImages, layoutTop, MEDIA, readBlobJson, type Index, type Manifest } from '../../../src/image/layout.js'
import { measureLayout } from '../../../src/measure/image-size.js'
import { parseCompression } from '../../../src/settings/image.js'

/** A buildx-like layout: one amd64 image (two gzip layers) and its provenance attestation naming it by digest. */
function layout() {
  const dir = mkdtempSync(path.join(tmpdir(), 'oci-'))
  mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true })
  const put = (data: Buffer | string, mediaType: string) => {
    const bytes = Buffer.from(data)
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    writeFileSync(path.join(dir, 'blobs/sha256', digest.slice(7)), bytes)
    return { mediaType, digest, size: bytes.length }
  }
  const tars = [Buffer.alloc(20000, 'certs'), Buffer.alloc(90000, 'binary code ')]
  const config = put(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { diff_ids: [] } }), 'application/vnd.oci.image.config.v1+json')
  const manifest = put(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: tars.map(t => put(gzipSync(t), MEDIA.gzipLayer))
    }),
    'application/vnd.oci.image.manifest.v1+json'
  )
  const statement = put(JSON.stringify({ subject: [{ name: 'pkg:docker/app', digest: { sha256: manifest.digest.slice(7) } }] }), 'application/vnd.in-toto+json')
  const attestation = put(
    JSON.stringify({ schemaVersion: 2, config: put('{}', 'application/vnd.oci.image.config.v1+json'), layers: [statement] }),
    'application/vnd.oci.image.manifest.v1+json'
  )
  const index = put(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { ...manifest, platform: { os: 'linux', architecture: 'amd64' } },
        {
          ...attestation,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': manifest.digest }
        }
      ]
    }),
    'application/vnd.oci.image.index.v1+json'
  )
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...index, annotations: { 'io.containerd.image.name': 'app:1' } }] })
  )
  return { dir, tars, config }
}

describe('the action compressing layers itself', () => {
  it('rewrites every layer as zstd; configs stay; the attestation names the new manifest', async () => {
    const { dir, tars, config } = layout()
    const before = await measureLayout(dir, 'oci')
    await recompressLayout(dir, { kind: 'zstd', level: 19 })
    const [image] = await layoutImages(dir)
    expect(image.manifest.layers.map(l => l.mediaType)).toEqual([MEDIA.zstdLayer, MEDIA.zstdLayer])
    expect(image.manifest.layers.map(l => zstdDecompressSync(readFileSync(path.join(dir, 'blobs/sha256', l.digest.slice(7)))))).toEqual(tars)
    expect(image.manifest.config).toEqual(config)

    const top = await layoutTop(dir)
    expect(top.annotations).toEqual({ 'io.containerd.image.name': 'app:1' })
    const index = await readBlobJson<Index>(dir, top.digest)
    const attestation = index.manifests[1]
    expect(attestation.annotations?.['vnd.docker.reference.digest']).toBe(image.descriptor.digest)
    const statement = await readBlobJson<{ subject: Array<{ digest: { sha256: string } }> }>(
      dir,
      (await readBlobJson<Manifest>(dir, attestation.digest)).layers[0].digest
    )
    expect(statement.subject[0].digest.sha256).toBe(image.descriptor.digest.slice(7))

    const after = await measureLayout(dir, 'oci')
    expect(after.images[0].unpacked).toBe(before.images[0].unpacked)
    expect(after.images[0].wire).toBe(config.size + image.manifest.layers.reduce((sum, l) => sum + l.size, 0))
  })

  it('measures the road not taken without touching the layout', async () => {
    const { dir } = layout()
    const top = await layoutTop(dir)
    const [road] = await wireWith(dir, { kind: 'zstd', level: 19 })
    expect(await layoutTop(dir)).toEqual(top)
    await recompressLayout(dir, { kind: 'zstd', level: 19 })
    expect(road.wire).toBe((await measureLayout(dir, 'oci')).images[0].wire)
  })
})

describe('compression input', () => {
  it.each([
    ['gzip', '', { kind: 'gzip' }],
    ['GZIP', '9', { kind: 'gzip', level: 9 }],
    ['zstd', '', { kind: 'zstd', level: 19 }],
    ['zstd', '3', { kind: 'zstd', level: 3 }]
  ])('%s level "%s"', (kind, level, expected) => {
    expect(parseCompression(kind, level)).toEqual(expected)
  })
  it.each([
    ['brotli', '', 'compression "brotli" must be gzip or zstd'],
    ['gzip', '10', 'compression-level "10" must be a whole number from 1 to 9 for gzip, or empty'],
    ['zstd', '2.5', 'compression-level "2.5" must be a whole number from 1 to 22 for zstd, or empty']
  ])('refuses %s %s', (kind, level, message) => {
    expect(() => parseCompression(kind, level)).toThrow(message)
  })
})
