import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { measureLayout } from '../../../src/measure/image-size.js'

/**
 * Writes an OCI layout like buildx's: an index with two platforms and one attestation manifest, marked the way
 * `marks` says (buildx marks it both ways; other tools one way only).
 */
function layout(marks: { annotation: boolean; unknownPlatform: boolean }): { dir: string; expected: Record<string, { wire: number; unpacked: number }> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'oci-'))
  mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true })
  const put = (data: Buffer | string) => {
    const bytes = Buffer.from(data)
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    writeFileSync(path.join(dir, 'blobs/sha256', digest.slice(7)), bytes)
    return { digest, size: bytes.length }
  }
  const expected: Record<string, { wire: number; unpacked: number }> = {}
  const manifests = ['amd64', 'arm64'].map((arch, i) => {
    const raw = Buffer.alloc(10000 * (i + 1), arch)
    const layer = put(gzipSync(raw))
    const config = put(JSON.stringify({ os: 'linux', architecture: arch }))
    const manifest = put(
      JSON.stringify({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }]
      })
    )
    expected[`linux/${arch}`] = { wire: config.size + layer.size, unpacked: raw.length }
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: arch } }
  })
  const attestationLayer = put(Buffer.alloc(50000, 'p'))
  const attestation = put(JSON.stringify({ config: put('{}'), layers: [{ mediaType: 'application/vnd.in-toto+json', ...attestationLayer }] }))
  const index = put(
    JSON.stringify({
      manifests: [
        ...manifests,
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...attestation,
          platform: marks.unknownPlatform ? { os: 'unknown', architecture: 'unknown' } : { os: 'linux', architecture: 'amd64' },
          ...(marks.annotation ? { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } } : {})
        }
      ]
    })
  )
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...index }] }))
  return { dir, expected }
}

describe('OCI measurement', () => {
  it.each([
    { annotation: true, unknownPlatform: true },
    { annotation: true, unknownPlatform: false },
    { annotation: false, unknownPlatform: true }
  ])('sums config and compressed layers per platform, leaving attestations out (%j)', async marks => {
    const { dir, expected } = layout(marks)
    const m = await measureLayout(dir, 'oci')
    expect(Object.fromEntries(m.images.map(i => [i.platform, { wire: i.wire, unpacked: i.unpacked }]))).toEqual(expected)
  })
})
