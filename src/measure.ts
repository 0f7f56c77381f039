import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { MeasureRoute } from './buildx.js'
import { decompressor, layerCompression } from './compress.js'
import { isIndex, layoutFromDockerArchive, layoutImages, layoutTop, openBlob, type LayoutImage } from './layout.js'
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
  indexDigest?: string
  images: ImageSize[]
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

/** Sums one image of the layout: config plus compressed layers, and what the layers unpack to. */
async function measureImage(dir: string, image: LayoutImage): Promise<ImageSize> {
  const layers = await Promise.all(
    image.manifest.layers.map(async layer => ({
      digest: layer.digest,
      size: layer.size,
      unpacked: await countBytes(openBlob(dir, layer.digest), decompressor(layerCompression(layer.mediaType)))
    }))
  )
  const config = image.manifest.config
  return {
    platform: image.platform,
    manifestDigest: image.descriptor.digest,
    imageId: config.digest,
    configSize: config.size,
    wire: config.size + layers.reduce((sum, l) => sum + l.size, 0),
    unpacked: layers.reduce((sum, l) => sum + l.unpacked, 0),
    layers
  }
}

/** Measures the OCI layout that is loaded and pushed as it is: every figure is of the bytes that ship. */
export async function measureLayout(dir: string, route: MeasureRoute): Promise<Measurement> {
  const top = await layoutTop(dir)
  const images = await Promise.all((await layoutImages(dir)).map(image => measureImage(dir, image)))
  return { route, indexDigest: isIndex(top.mediaType) ? top.digest : undefined, images }
}

export function dockerSavePlan(reference: string, output: string): Plan {
  return { program: 'docker', args: ['save', '--output', output, reference] }
}

/**
 * The classic store's image as a layout: `docker save`, its layers gzipped here once (see layoutFromDockerArchive).
 */
export async function layoutFromEngine(reference: string, platform: string, workDir: string, dir: string): Promise<void> {
  const archive = path.join(workDir, 'image.tar')
  await execute(dockerSavePlan(reference, archive))
  const [os, architecture, variant] = platform.split('/')
  await layoutFromDockerArchive(archive, dir, { os, architecture, ...(variant ? { variant } : {}) })
  await rm(archive, { force: true })
}
