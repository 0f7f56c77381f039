import { rm } from 'node:fs/promises'
import path from 'node:path'
import {
  isIndex,
  layerCompression,
  layoutFromDockerArchive,
  type LayoutImage,
  layoutImages,
  layoutTop,
  type MeasureRoute,
  openBlob,
  scanLayer,
  sha256Reader
} from '../image/index.js'
import { execute, type Plan } from '../process/index.js'

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
  /** SHA-256 of the file asked for, from the topmost layer that holds it. */
  binarySha256?: string
}

export interface Measurement {
  route: MeasureRoute
  indexDigest?: string
  images: ImageSize[]
}

/**
 * Sums one image of the layout: config plus compressed layers, and what the layers unpack to; in the same pass
 * over the layers, hashes `file` as the image holds it.
 */
async function measureImage(dir: string, image: LayoutImage, file?: string): Promise<ImageSize> {
  const scanned = await Promise.all(
    image.manifest.layers.map(layer =>
      scanLayer({ open: () => openBlob(dir, layer.digest), compression: layerCompression(layer.mediaType) }, file ? { file, read: sha256Reader } : undefined)
    )
  )
  const layers = image.manifest.layers.map((layer, i) => ({ digest: layer.digest, size: layer.size, unpacked: scanned[i].unpacked }))
  const config = image.manifest.config
  return {
    platform: image.platform,
    manifestDigest: image.descriptor.digest,
    imageId: config.digest,
    configSize: config.size,
    wire: config.size + layers.reduce((sum, l) => sum + l.size, 0),
    unpacked: layers.reduce((sum, l) => sum + l.unpacked, 0),
    layers,
    binarySha256: [...scanned].reverse().find(layer => layer.found !== undefined)?.found
  }
}

/**
 * Measures the OCI layout that is loaded and pushed as it is: every figure is of the bytes that ship. `binary`, when
 * given, is hashed in each image on the way (see verifyImageBinaries).
 */
export async function measureLayout(dir: string, route: MeasureRoute, binary?: string): Promise<Measurement> {
  const top = await layoutTop(dir)
  const images = await Promise.all((await layoutImages(dir)).map(image => measureImage(dir, image, binary)))
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
