import { Readable } from 'node:stream'
import type { ReadableStream as WebStream } from 'node:stream/web'
import { type BuildInfo, buildInfoReader, parseBuildInfo } from '../build/index.js'
import { isAttestation, layerCompression, platformId, readInImage, type Descriptor, type LayerSource } from '../image/index.js'
import { boundedJson, readManifest, registryRead, type RegistryManifest } from '../publish/index.js'
import { manifestReference, type PushTarget } from '../settings/index.js'

/**
 * A published base image is not rebuilt, but its binary still carries its build info: read from the registry
 * (only the layers above the binary's are downloaded), it gives the module changes without a base build.
 */

/** The image manifest for `platform`: the index's entry, or the manifest itself when it is a single image. */
async function platformManifest(target: PushTarget, ref: string, platform: string): Promise<RegistryManifest> {
  const top = await readManifest(target, ref)
  if (!top.manifests) return top
  const entry = top.manifests.filter(d => !isAttestation(d)).find(d => d.platform && platformId(d.platform) === platform)
  if (!entry) throw new Error(`it has no ${platform} image`)
  return readManifest(target, entry.digest)
}

/** A layer downloaded only when it is read, and streamed: never held whole. */
function registryLayer(target: PushTarget, layer: Descriptor): LayerSource {
  async function* download() {
    const response = await registryRead(target, `blobs/${layer.digest}`)
    if (!response.ok || !response.body) throw new Error(`its layer ${layer.digest} could not be downloaded (HTTP ${response.status})`)
    yield* Readable.fromWeb(response.body as WebStream<Uint8Array>)
  }
  return { open: () => Readable.from(download(), { objectMode: false }), compression: layerCompression(layer.mediaType) }
}

/** The build info of `file` in the base image's `platform` image, or why it cannot be had. */
export async function baseImageBuildInfo(
  reference: string,
  platform: string,
  file: string
): Promise<{ info: BuildInfo; why?: undefined } | { info?: undefined; why: string }> {
  try {
    const { target, ref } = manifestReference(reference)
    const manifest = await platformManifest(target, ref, platform)
    // Only the build info is kept of the binary as it streams past: a binary of any size costs a few megabytes.
    const read = await readInImage(
      manifest.layers.map(layer => registryLayer(target, layer)),
      file,
      buildInfoReader
    )
    if (!read) return { why: `the base image holds no ${file}` }
    if ('missing' in read)
      return {
        why: read.packed ? `the base image's ${file} is packed by UPX, which hides its build info` : `the base image's ${file} carries no Go build info`
      }
    return { info: parseBuildInfo(read.modules) }
  } catch (error) {
    return { why: `the base image's binary could not be read: ${(error as Error).message}` }
  }
}

/**
 * The commit the image says it was built from (its `org.opencontainers.image.revision` label, which this action
 * and docker/metadata-action set), when that is a full commit id.
 */
export async function baseImageRevision(reference: string, platform: string): Promise<string | undefined> {
  const { target, ref } = manifestReference(reference)
  const manifest = await platformManifest(target, ref, platform)
  const response = await registryRead(target, `blobs/${manifest.config.digest}`)
  if (!response.ok) return undefined
  const config = await boundedJson<{ config?: { Labels?: Record<string, string> } }>(response, `its config ${manifest.config.digest}`)
  const revision = config.config?.Labels?.['org.opencontainers.image.revision']
  return revision && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(revision) ? revision : undefined
}
