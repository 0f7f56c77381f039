import { isAttestation, MEDIA, platformId, type Descriptor } from '../image/index.js'
import { manifestReference, repositoryOf, type PushTarget } from '../settings/index.js'
import { registryRead } from './access.js'
import { boundedJson } from './bounded.js'

/** Per platform, what the registry stores after the push. */
export interface PushedImage {
  platform: string
  manifestDigest: string
  wire: number
}

export const MANIFEST_TYPES = [MEDIA.index, MEDIA.manifest, MEDIA.dockerList, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ')

export interface RegistryManifest {
  manifests?: Descriptor[]
  config: Descriptor
  layers: Descriptor[]
}

/** Bytes a pull of one image downloads: its config plus its layers, as the manifest sizes them. */
export const wireOf = (manifest: RegistryManifest) => manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0)

export async function readManifest(target: PushTarget, ref: string): Promise<RegistryManifest> {
  const response = await registryRead(target, `manifests/${ref}`, MANIFEST_TYPES)
  if (!response.ok) throw new Error(`its manifest ${ref} could not be read (HTTP ${response.status})`)
  return boundedJson<RegistryManifest>(response, `its manifest ${ref}`)
}

/**
 * Reads an image from its registry, with the runner's Docker login, and sums per platform config plus layers as
 * the registry stores them. `digest` reads that top manifest of the repository instead of the reference's tag.
 * A single manifest (one platform, no attestations) carries no platform: `onlyPlatform` names it.
 */
export async function readPushed(reference: string, digest: string | undefined, onlyPlatform: string): Promise<PushedImage[]> {
  const { target, ref } = manifestReference(reference)
  const top = await readManifest(target, digest ?? ref)
  if (!top.manifests) return [{ platform: onlyPlatform, manifestDigest: digest ?? '', wire: wireOf(top) }]
  return Promise.all(
    top.manifests
      .filter(d => !isAttestation(d))
      .map(async descriptor => ({
        platform: descriptor.platform ? platformId(descriptor.platform) : onlyPlatform,
        manifestDigest: descriptor.digest,
        wire: wireOf(await readManifest(target, descriptor.digest))
      }))
  )
}

/** One sentence for the usual registry failures, with what to do. */
export function explainPushFailure(message: string, references: string[]): string | undefined {
  const where = references
    .map(r => repositoryOf(r))
    .filter((r, i, all) => all.indexOf(r) === i)
    .join(', ')
  if (/no basic auth credentials|unauthorized|authentication required|\b401\b/i.test(message)) {
    return `the registry refused to let this runner push ${where} without credentials: log in first (docker/login-action) with a user that may push there`
  }
  if (/denied|forbidden|\b403\b/i.test(message)) {
    return `the registry denied the push to ${where}: the logged-in user may not write there (for ghcr.io, give the job "permissions: packages: write")`
  }
  // A reset is more telling than the dial that may come with it.
  if (/connection reset by peer|ECONNRESET|UND_ERR_SOCKET|other side closed|broken pipe|EPIPE|unexpected EOF|\bEOF\b/i.test(message)) {
    return `the registry of ${where} dropped the connection during the push: check that it is up and retry`
  }
  // A request that got no answer in time reached the registry: the host is right, the registry stalled.
  if (/gave no answer in time|TimeoutError|due to timeout/i.test(message)) {
    return `the registry of ${where} stopped answering during the push: check that it is up and retry`
  }
  if (/no such host|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|connection refused|timed out/i.test(message)) {
    return `the registry of ${where} cannot be reached: check the host name in tags`
  }
  return undefined
}
