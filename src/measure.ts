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

/** A `docker save` archive read into memory: its manifest and every file by name (a few MB for these images). */
export interface DockerArchive {
  manifest: { Config: string; Layers: string[] }
  entry: (name: string) => Buffer
}

const isGzip = (data: Buffer) => data.length > 2 && data[0] === 0x1f && data[1] === 0x8b

export async function readDockerArchive(archive: string): Promise<DockerArchive> {
  const entries = new Map<string, Buffer>()
  const extract = tar.extract()
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = []
    stream.on('data', chunk => chunks.push(chunk as Buffer))
    stream.on('end', () => {
      if (header.type === 'file') entries.set(header.name.replace(/^\.\//, ''), Buffer.concat(chunks))
      next()
    })
  })
  await pipeline(createReadStream(archive), extract)
  const manifest = (JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '[]') as Array<DockerArchive['manifest']>)[0]
  if (!manifest) throw new Error(`${archive} has no manifest.json: not a docker save archive`)
  const entry = (name: string) => {
    const data = entries.get(name.replace(/^\.\//, ''))
    if (!data) throw new Error(`${archive} lacks ${name}`)
    return data
  }
  return { manifest, entry }
}

/**
 * Reads a `docker save` archive. Layers that the engine keeps uncompressed are gzipped here the way a
 * push would (default level), so the wire figure is an estimate; compressed ones are counted as they are.
 */
export async function measureDockerArchive(archive: string, platform: string): Promise<Measurement> {
  const { manifest, entry } = await readDockerArchive(archive)
  const config = entry(manifest.Config)
  const layers = await Promise.all(
    manifest.Layers.map(async name => {
      const data = entry(name)
      const gzipped = isGzip(data)
      return {
        digest: name,
        size: gzipped ? data.length : await countBytes(Readable.from([data]), createGzip()),
        unpacked: gzipped ? await countBytes(Readable.from([data]), createGunzip()) : data.length
      }
    })
  )
  return {
    route: 'docker-save',
    exact: false,
    images: [
      {
        platform,
        manifestDigest: '',
        imageId: `sha256:${createHash('sha256').update(config).digest('hex')}`,
        configSize: config.length,
        wire: config.length + layers.reduce((sum, l) => sum + l.size, 0),
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
