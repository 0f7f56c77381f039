import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import tar from 'tar-stream'
import type { MeasureRoute } from './buildx.js'
import { execute, type Plan } from './runner.js'

export interface ImageSize {
  platform: string
  manifestDigest: string
  /** The config's digest: what `docker images` calls the image ID. */
  imageId: string
  /** Bytes a pull downloads: config plus compressed layers (what registries show). */
  wire: number
  /** Bytes of the unpacked layers (what the image takes on disk, before the engine's own overhead). */
  unpacked: number
  configSize: number
  layers: Array<{ digest: string; size: number; unpacked: number }>
}

export interface Measurement {
  route: MeasureRoute
  /** oci: the blobs buildx would push; docker-save: layers re-compressed here, so an estimate. */
  exact: boolean
  indexDigest?: string
  images: ImageSize[]
}

/** An OCI content descriptor, as in index.json, image indexes and manifests. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { os: string; architecture: string; variant?: string }
  annotations?: Record<string, string>
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']

/** Attestation manifests (provenance, SBOM) ride in the index but are never pulled to run the image. */
export function isAttestation(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (descriptor.platform?.os === 'unknown' && descriptor.platform?.architecture === 'unknown')
  )
}

export function platformId(p: { os: string; architecture: string; variant?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

/** Counts the bytes a stream yields, after passing it through `transform` when one is given. */
async function countBytes(source: Readable, transform?: NodeJS.ReadWriteStream): Promise<number> {
  let total = 0
  const sink = async (chunks: AsyncIterable<Buffer | string>) => {
    for await (const chunk of chunks) total += chunk.length
  }
  if (transform) await pipeline(source, transform, sink)
  else await pipeline(source, sink)
  return total
}

const isGzipLayer = (mediaType: string) => mediaType.endsWith('gzip')

/** Reads an OCI image layout directory (buildx `type=oci,tar=false`). */
export async function measureOciLayout(dir: string): Promise<Measurement> {
  const blob = (digest: string) => path.join(dir, 'blobs', ...digest.split(':'))
  const readJson = async <T>(digest: string) => JSON.parse(await readFile(blob(digest), 'utf8')) as T
  const top = (JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] }).manifests[0]
  if (!top) throw new Error(`the OCI layout in ${dir} holds no image`)

  const manifests: Descriptor[] = INDEX_TYPES.includes(top.mediaType)
    ? (await readJson<{ manifests: Descriptor[] }>(top.digest)).manifests.filter(d => !isAttestation(d))
    : [top]
  const images: ImageSize[] = []
  for (const descriptor of manifests) {
    const manifest = await readJson<{ config: Descriptor; layers: Descriptor[] }>(descriptor.digest)
    const config = await readJson<{ os: string; architecture: string; variant?: string }>(manifest.config.digest)
    const layers = await Promise.all(
      manifest.layers.map(async layer => ({
        digest: layer.digest,
        size: layer.size,
        unpacked: await countBytes(createReadStream(blob(layer.digest)), isGzipLayer(layer.mediaType) ? createGunzip() : undefined)
      }))
    )
    images.push({
      platform: platformId(descriptor.platform ?? config),
      manifestDigest: descriptor.digest,
      imageId: manifest.config.digest,
      configSize: manifest.config.size,
      wire: manifest.config.size + layers.reduce((sum, l) => sum + l.size, 0),
      unpacked: layers.reduce((sum, l) => sum + l.unpacked, 0),
      layers
    })
  }
  return { route: 'oci', exact: true, indexDigest: INDEX_TYPES.includes(top.mediaType) ? top.digest : undefined, images }
}

export function dockerSavePlan(reference: string, output: string): Plan {
  return { program: 'docker', args: ['save', '--output', output, reference] }
}

interface EntrySize {
  size: number
  sha256: string
  /** Gzipped size when the entry is a plain tar; its own size when it already is gzip. */
  compressed: number
  unpacked: number
}

/**
 * Reads a `docker save` archive. Layers that the engine keeps uncompressed are gzipped here the way a
 * push would (default level), so the wire figure is an estimate; compressed ones are counted as they are.
 */
export async function measureDockerArchive(archive: string, platform: string): Promise<Measurement> {
  const entries = new Map<string, EntrySize>()
  let manifestJson = ''
  const extract = tar.extract()
  extract.on('entry', (header, stream, next) => {
    void (async () => {
      if (header.name === 'manifest.json') {
        const chunks: Buffer[] = []
        for await (const chunk of stream) chunks.push(chunk as Buffer)
        manifestJson = Buffer.concat(chunks).toString('utf8')
      } else if (header.type === 'file') {
        const chunks: Buffer[] = []
        for await (const chunk of stream) chunks.push(chunk as Buffer)
        const data = Buffer.concat(chunks)
        const gzipped = data.length > 2 && data[0] === 0x1f && data[1] === 0x8b
        entries.set(header.name, {
          size: data.length,
          sha256: createHash('sha256').update(data).digest('hex'),
          compressed: gzipped ? data.length : await countBytes(Readable.from([data]), createGzip()),
          unpacked: gzipped ? await countBytes(Readable.from([data]), createGunzip()) : data.length
        })
      } else {
        stream.resume()
      }
      next()
    })().catch(error => extract.destroy(error as Error))
  })
  await pipeline(createReadStream(archive), extract)
  const manifest = (JSON.parse(manifestJson || '[]') as Array<{ Config: string; Layers: string[] }>)[0]
  if (!manifest) throw new Error(`${archive} has no manifest.json: not a docker save archive`)
  const sizeOf = (name: string) => {
    const entry = entries.get(name)
    if (!entry) throw new Error(`${archive} lacks ${name}`)
    return entry
  }
  const configSize = sizeOf(manifest.Config).size
  const layers = manifest.Layers.map(name => ({ digest: name, size: sizeOf(name).compressed, unpacked: sizeOf(name).unpacked }))
  return {
    route: 'docker-save',
    exact: false,
    images: [
      {
        platform,
        manifestDigest: '',
        imageId: `sha256:${sizeOf(manifest.Config).sha256}`,
        configSize,
        wire: configSize + layers.reduce((sum, l) => sum + l.size, 0),
        unpacked: layers.reduce((sum, l) => sum + l.unpacked, 0),
        layers
      }
    ]
  }
}

/** Where the docker-save route keeps the saved image: measured, then read again to check the binary. */
export const engineArchive = (workDir: string) => path.join(workDir, 'image.tar')

export async function measureFromEngine(reference: string, platform: string, workDir: string): Promise<Measurement> {
  const archive = engineArchive(workDir)
  await execute(dockerSavePlan(reference, archive))
  return measureDockerArchive(archive, platform)
}
