import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { Compression } from '../settings/index.js'
import {
  blobPath,
  CHUNK_BYTES,
  isAttestation,
  isIndex,
  layoutEntries,
  layoutImages,
  MEDIA,
  readBlobJson,
  writeBlob,
  type Descriptor,
  type Index,
  type Manifest
} from './layout.js'

/**
 * Layer compression done by the action itself, in-process (Node's zlib has zstd): BuildKit's zstd tops out well
 * above what the reference encoder reaches at the same level, and no registry client is needed to publish the
 * result, since the layout is pushed as it is.
 */

export type LayerCompression = 'gzip' | 'zstd' | 'none'

export function layerCompression(mediaType: string): LayerCompression {
  if (mediaType.endsWith('gzip')) return 'gzip'
  if (mediaType.endsWith('zstd')) return 'zstd'
  return 'none'
}

/** A stream that undoes the layer's compression, or undefined for an uncompressed layer. */
export function decompressor(compression: LayerCompression): NodeJS.ReadWriteStream | undefined {
  if (compression === 'gzip') return zlib.createGunzip({ chunkSize: CHUNK_BYTES })
  if (compression === 'zstd') return zlib.createZstdDecompress({ chunkSize: CHUNK_BYTES })
  return undefined
}

const gunzip = promisify(zlib.gunzip)
const zstdDecompress = promisify(zlib.zstdDecompress)
const gzip = promisify(zlib.gzip)
const zstdCompress = promisify(zlib.zstdCompress)

export async function decompressLayer(data: Buffer, compression: LayerCompression): Promise<Buffer> {
  if (compression === 'gzip') return gunzip(data)
  if (compression === 'zstd') return zstdDecompress(data)
  return data
}

/** Compresses in libuv's thread pool: several layers (and platforms) at once, the event loop free. */
export async function compressLayer(tar: Buffer, compression: Compression): Promise<Buffer> {
  if (compression.kind === 'gzip') return gzip(tar, compression.level === undefined ? {} : { level: compression.level })
  return zstdCompress(tar, { params: { [zlib.constants.ZSTD_c_compressionLevel]: compression.level } })
}

/** One layer of the layout, its compression undone and done again as asked. */
async function recompressed(dir: string, layer: Descriptor, compression: Compression): Promise<Buffer> {
  const tar = await decompressLayer(await readFile(blobPath(dir, layer.digest)), layerCompression(layer.mediaType))
  return compressLayer(tar, compression)
}

/** Each distinct layer of the layout compressed once; resolves with the new blobs, by old digest. */
async function recompressLayers(dir: string, layers: Descriptor[], compression: Compression): Promise<Map<string, Descriptor>> {
  const distinct = [...new Map(layers.map(l => [l.digest, l])).values()]
  const mediaType = compression.kind === 'gzip' ? MEDIA.gzipLayer : MEDIA.zstdLayer
  const done = await Promise.all(
    distinct.map(async layer => {
      const blob = await writeBlob(dir, await recompressed(dir, layer, compression), mediaType)
      return [layer.digest, { ...blob, ...(layer.annotations ? { annotations: layer.annotations } : {}) }] as const
    })
  )
  return new Map(done)
}

const hex = (digest: string) => digest.slice(digest.indexOf(':') + 1)

/** gzip with no level is BuildKit's own, as exported: nothing to do. */
export const compressedByBuildKit = (compression: Compression) => compression.kind === 'gzip' && compression.level === undefined

/**
 * Rewrites the layout with every image layer compressed as asked: new layer blobs, new manifests (same configs, so
 * the same image IDs), a new index. Attestations name the image manifests they describe by digest: they are
 * rewritten to name the new ones.
 */
export async function recompressLayout(dir: string, compression: Compression): Promise<void> {
  const { top, children } = await layoutEntries(dir)
  const manifests = await Promise.all(children.map(async child => ({ child, manifest: await readBlobJson<Manifest>(dir, child.digest) })))
  const images = manifests.filter(m => !isAttestation(m.child))
  const layers = await recompressLayers(
    dir,
    images.flatMap(m => m.manifest.layers),
    compression
  )
  const renamed = new Map<string, Descriptor>()
  for (const { child, manifest } of images) {
    const rewritten: Manifest = { ...manifest, layers: manifest.layers.map(l => layers.get(l.digest)!) }
    renamed.set(child.digest, { ...child, ...(await writeBlob(dir, Buffer.from(JSON.stringify(rewritten)), child.mediaType)) })
  }
  for (const { child, manifest } of manifests.filter(m => isAttestation(m.child))) {
    renamed.set(child.digest, await renameInAttestation(dir, child, manifest, renamed))
  }
  const entries = children.map(child => renamed.get(child.digest) ?? child)
  const index = isIndex(top.mediaType) ? await readBlobJson<Index>(dir, top.digest) : undefined
  const newTop = index ? { ...top, ...(await writeBlob(dir, Buffer.from(JSON.stringify({ ...index, manifests: entries })), top.mediaType)) } : entries[0]
  const layoutIndex = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as Index
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({ ...layoutIndex, manifests: [newTop, ...layoutIndex.manifests.slice(1)] }))
}

/** An attestation names its subject manifest by digest (annotation and in-toto statement): renamed to the new one. */
async function renameInAttestation(dir: string, child: Descriptor, manifest: Manifest, renamed: Map<string, Descriptor>): Promise<Descriptor> {
  const rename = (text: string) => {
    let out = text
    for (const [old, now] of renamed) out = out.replaceAll(hex(old), hex(now.digest))
    return out
  }
  const layers = await Promise.all(
    manifest.layers.map(async layer => {
      const text = (await readFile(blobPath(dir, layer.digest))).toString('utf8')
      return { ...layer, ...(await writeBlob(dir, Buffer.from(rename(text)), layer.mediaType)) }
    })
  )
  const blob = await writeBlob(dir, Buffer.from(rename(JSON.stringify({ ...manifest, layers }))), child.mediaType)
  return { ...child, ...blob, annotations: child.annotations && (JSON.parse(rename(JSON.stringify(child.annotations))) as Record<string, string>) }
}

/**
 * The image's wire size per platform had its layers been compressed another way: each distinct layer decompressed
 * and compressed again here (in the thread pool), so the figure is measured, not guessed.
 */
export async function wireWith(dir: string, compression: Compression): Promise<Array<{ platform: string; wire: number }>> {
  const images = await layoutImages(dir)
  const sizes = new Map<string, Promise<number>>()
  const sizeOf = (layer: Descriptor) => {
    if (!sizes.has(layer.digest))
      sizes.set(
        layer.digest,
        recompressed(dir, layer, compression).then(data => data.length)
      )
    return sizes.get(layer.digest)!
  }
  return Promise.all(
    images.map(async image => {
      const layers = await Promise.all(image.manifest.layers.map(sizeOf))
      return { platform: image.platform, wire: image.manifest.config.size + layers.reduce((sum, size) => sum + size, 0) }
    })
  )
}
