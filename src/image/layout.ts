import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { gzipSync } from 'node:zlib'
import tar from 'tar-stream'
import { fullName, tagOf } from '../settings/index.js'

/** An OCI content descriptor, as in index.json, image indexes and manifests. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { os: string; architecture: string; variant?: string }
  annotations?: Record<string, string>
}

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

/** A `docker save` archive read into memory: its manifest and every file by name (a few MB for these images). */
export interface DockerArchive {
  manifest: { Config: string; Layers: string[] }
  entry: (name: string) => Buffer
}

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
 * The image as one OCI image layout in the run's folder: what buildx exported (or what `docker save` gave,
 * compressed here). It is measured, checked, loaded and pushed as it is, so every figure is of what ships.
 */
export interface Manifest {
  schemaVersion?: number
  mediaType?: string
  config: Descriptor
  layers: Descriptor[]
  annotations?: Record<string, string>
}

export interface Index {
  schemaVersion?: number
  mediaType?: string
  manifests: Descriptor[]
  annotations?: Record<string, string>
}

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  gzipLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstdLayer: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json'
} as const

export const isIndex = (mediaType: string | undefined) => mediaType === MEDIA.index || mediaType === MEDIA.dockerList

export const blobPath = (dir: string, digest: string) => path.join(dir, 'blobs', ...digest.split(':'))

export async function readBlobJson<T>(dir: string, digest: string): Promise<T> {
  return JSON.parse(await readFile(blobPath(dir, digest), 'utf8')) as T
}

/** Stores `data` as a blob of the layout and describes it. */
export async function writeBlob(dir: string, data: Buffer, mediaType: string): Promise<Descriptor> {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true })
  await writeFile(blobPath(dir, digest), data)
  return { mediaType, digest, size: data.length }
}

/** The layout's one top descriptor: the image index, or the manifest of a single-platform image. */
export async function layoutTop(dir: string): Promise<Descriptor> {
  const top = (JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as Index).manifests[0]
  if (!top) throw new Error(`the OCI layout in ${dir} holds no image`)
  return top
}

/** The top descriptor and what it lists: an index's manifests (attestations too), or the single manifest itself. */
export async function layoutEntries(dir: string): Promise<{ top: Descriptor; children: Descriptor[] }> {
  const top = await layoutTop(dir)
  return { top, children: isIndex(top.mediaType) ? (await readBlobJson<Index>(dir, top.digest)).manifests : [top] }
}

export interface LayoutImage {
  /** The manifest's descriptor, as the index lists it (with its platform). */
  descriptor: Descriptor
  manifest: Manifest
  platform: string
}

/** Every runnable image of the layout (attestations left out), with its platform. */
export async function layoutImages(dir: string): Promise<LayoutImage[]> {
  const { children } = await layoutEntries(dir)
  return Promise.all(
    children
      .filter(d => !isAttestation(d))
      .map(async descriptor => {
        const manifest = await readBlobJson<Manifest>(dir, descriptor.digest)
        const platform = descriptor.platform ?? (await readBlobJson<{ os: string; architecture: string; variant?: string }>(dir, manifest.config.digest))
        return { descriptor, manifest, platform: platformId(platform) }
      })
  )
}

/** Every blob a push sends, children before the manifests that name them; the top descriptor last. */
export async function layoutBlobs(dir: string): Promise<{ blobs: Descriptor[]; manifests: Descriptor[]; top: Descriptor }> {
  const { top, children } = await layoutEntries(dir)
  const blobs: Descriptor[] = []
  const manifests: Descriptor[] = []
  for (const child of children) {
    const manifest = await readBlobJson<Manifest>(dir, child.digest)
    for (const blob of [manifest.config, ...manifest.layers]) if (!blobs.some(b => b.digest === blob.digest)) blobs.push(blob)
    if (child !== top) manifests.push(child)
  }
  return { blobs, manifests, top }
}

/**
 * A layout from a `docker save` archive (the classic store, which buildx cannot export as OCI): the engine keeps
 * layers uncompressed, so each is gzipped here once, and those bytes are both measured and pushed.
 */
export async function layoutFromDockerArchive(archive: string, dir: string, platform: { os: string; architecture: string; variant?: string }): Promise<void> {
  const { manifest, entry } = await readDockerArchive(archive)
  const config = await writeBlob(dir, entry(manifest.Config), MEDIA.config)
  const layers = []
  for (const name of manifest.Layers) {
    const data = entry(name)
    const gzipped = data.length > 2 && data[0] === 0x1f && data[1] === 0x8b
    layers.push(await writeBlob(dir, gzipped ? data : gzipSync(data), MEDIA.gzipLayer))
  }
  const image: Manifest = { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers }
  const top = await writeBlob(dir, Buffer.from(JSON.stringify(image)), MEDIA.manifest)
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, platform }] }))
}

/**
 * A tarball `docker load` takes, with no rebuild: the layout's blobs under an index that names the image once per
 * tag (the containerd store reads it), and a manifest.json of one platform's image (the classic store reads that,
 * and holds one platform only). `platform` loads that platform alone.
 */
export async function loadTarball(dir: string, tags: string[], output: string, platform?: string): Promise<void> {
  const top = await layoutTop(dir)
  const images = await layoutImages(dir)
  const image = platform ? images.find(i => i.platform === platform) : images[0]
  if (!image) throw new Error(`the image has no ${platform} manifest to load`)
  const chosen = platform ? image.descriptor : top
  const wanted = new Set([chosen.digest, image.manifest.config.digest, ...image.manifest.layers.map(l => l.digest)])
  if (!platform) {
    const { blobs, manifests } = await layoutBlobs(dir)
    for (const d of [...blobs, ...manifests]) wanted.add(d.digest)
  }
  const entryName = (digest: string) => `blobs/${digest.replace(':', '/')}`
  const dockerManifest = [{ Config: entryName(image.manifest.config.digest), RepoTags: tags, Layers: image.manifest.layers.map(l => entryName(l.digest)) }]
  const index: Index = {
    schemaVersion: 2,
    manifests: tags.map(tag => ({
      mediaType: chosen.mediaType,
      digest: chosen.digest,
      size: chosen.size,
      annotations: { 'io.containerd.image.name': fullName(tag), 'org.opencontainers.image.ref.name': tagOf(tag) }
    }))
  }
  const pack = tar.pack()
  const written = pipeline(pack, createWriteStream(`${output}.part`))
  pack.entry({ name: 'oci-layout' }, JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  pack.entry({ name: 'index.json' }, JSON.stringify(index))
  pack.entry({ name: 'manifest.json' }, JSON.stringify(dockerManifest))
  for (const digest of wanted) pack.entry({ name: entryName(digest) }, await readFile(blobPath(dir, digest)))
  pack.finalize()
  await written
  await rename(`${output}.part`, output)
}

/**
 * How much a stream over a layer or a binary passes at once. They are megabytes: Node's 64 KiB reads and zlib's
 * 16 KiB output chunks double the time spent handing them between threads.
 */
export const CHUNK_BYTES = 1 << 20

/** A blob as a stream: for hashing a layer, or sending it. */
export const openBlob = (dir: string, digest: string) => createReadStream(blobPath(dir, digest), { highWaterMark: CHUNK_BYTES })
