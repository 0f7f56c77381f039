import { createHash } from 'node:crypto'
import { isAttestation, isIndex, platformId, type Descriptor } from '../image/index.js'
import { byRepository, tagOf } from '../settings/index.js'
import { registrySession, type RegistryRequest } from './access.js'
import { boundedBody } from './bounded.js'
import { MANIFEST_TYPES, wireOf, type PushedImage, type RegistryManifest } from './registry.js'

// After a push, what the registry serves is held to what was pushed and measured: every tag's bytes hash to the
// pushed digest, every platform's manifest to its own, and the sizes those manifests list sum to the measured wire.

/** A manifest as the registry serves it: the digest of the bytes it answered with, whatever it was asked by. */
export interface Served {
  digest: string
  mediaType: string
  size: number
  manifest: RegistryManifest & { mediaType?: string }
}

/** The registry has no such manifest (an answer, unlike a failed read). */
export class Missing extends Error {}

export async function servedManifest(request: RegistryRequest, ref: string): Promise<Served> {
  const response = await request(`manifests/${ref}`, { headers: { accept: MANIFEST_TYPES } })
  if (response.status === 404) throw new Missing(`the registry has no manifest ${ref}`)
  if (!response.ok) throw new Error(`its manifest ${ref} could not be read (HTTP ${response.status})`)
  const bytes = await boundedBody(response, `its manifest ${ref}`)
  const manifest = JSON.parse(bytes.toString('utf8')) as Served['manifest']
  const mediaType = manifest.mediaType ?? response.headers.get('content-type')?.split(';')[0] ?? ''
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType, size: bytes.length, manifest }
}

/** What the registry serves is not what was pushed and measured: the step fails, with every difference. */
export class Disagreement extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('; '))
  }
}

/** A manifest by digest, its bytes checked against the digest they are named by. */
export async function manifestByDigest(request: RegistryRequest, digest: string): Promise<Served> {
  const served = await servedManifest(request, digest)
  if (served.digest !== digest) throw new Disagreement([`the registry answered ${digest} with bytes whose digest is ${served.digest}`])
  return served
}

const isList = (served: Served) => isIndex(served.mediaType) || served.manifest.manifests !== undefined

/** The platforms under a pushed top manifest, each read by its digest and hash-checked, sized as the registry lists them. */
async function platformsOf(request: RegistryRequest, top: Served, onlyPlatform: string): Promise<PushedImage[]> {
  if (!isList(top)) return [{ platform: onlyPlatform, manifestDigest: top.digest, wire: wireOf(top.manifest) }]
  const listed: Descriptor[] = (top.manifest.manifests ?? []).filter(d => !isAttestation(d))
  return Promise.all(
    listed.map(async d => ({
      platform: d.platform ? platformId(d.platform) : onlyPlatform,
      manifestDigest: d.digest,
      wire: wireOf((await manifestByDigest(request, d.digest)).manifest)
    }))
  )
}

/** Each measured platform against the registry's figure, one line per difference; platforms only one side has, too. */
export function sizeDifferences(measured: Array<{ platform: string; wire: number }>, stored: PushedImage[], where: string): string[] {
  const lines: string[] = []
  for (const m of measured) {
    const image = stored.find(s => s.platform === m.platform)
    if (!image) lines.push(`${where} holds no ${m.platform} image (it holds ${stored.map(s => s.platform).join(', ') || 'none'})`)
    else if (image.wire !== m.wire)
      lines.push(`${m.platform}: the manifests ${where} serves list ${image.wire} bytes, but ${m.wire} were measured before the push`)
  }
  for (const s of stored) if (!measured.some(m => m.platform === s.platform)) lines.push(`${where} holds ${s.platform}, which was not measured`)
  return lines
}

/**
 * Reads the push back: every tag (or, pushed by digest, the digest) of every repository, its served bytes hashed
 * against the pushed digest; then each platform's manifest by digest, its sizes held to the measurement. Throws a
 * Disagreement naming every difference; any other error is a failed read.
 */
export async function verifyPushed(
  references: string[],
  digest: string,
  measured: Array<{ platform: string; wire: number }>,
  tagged: boolean
): Promise<PushedImage[]> {
  const lines: string[] = []
  let images: PushedImage[] = []
  for (const repo of byRepository(references)) {
    const request = registrySession(repo.target, 'pull')
    for (const reference of tagged ? repo.references : []) {
      const served = await servedManifest(request, tagOf(reference)).catch((error: unknown) => {
        if (error instanceof Missing) return undefined
        throw error
      })
      if (!served) lines.push(`${reference} is not in the registry`)
      else if (served.digest !== digest) lines.push(`${reference} serves ${served.digest}, not the pushed ${digest}`)
    }
    const where = `${repo.target.host}/${repo.target.name}@${digest}`
    const top = await manifestByDigest(request, digest)
    const stored = await platformsOf(request, top, measured[0].platform)
    lines.push(...sizeDifferences(measured, stored, where))
    if (images.length === 0) images = stored
  }
  if (lines.length > 0) throw new Disagreement(lines)
  return images
}
