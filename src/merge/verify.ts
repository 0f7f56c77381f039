import { isAttestation, isIndex, platformId, type Descriptor } from '../image/index.js'
import {
  boundedJson,
  Disagreement,
  manifestByDigest,
  Missing,
  networkReason,
  registrySession,
  wireOf,
  type RegistryManifest,
  type RegistryRequest
} from '../publish/index.js'
import type { Report } from '../report/index.js'
import { pushTarget } from '../settings/index.js'
import type { ImageGroup } from './plan.js'
import type { LoadedReport } from './reports.js'

/**
 * Reads what each job pushed by digest from the registry and holds it against the job's report: every platform's
 * manifest digest and its size on the wire. What the index will list comes from here, never from the report.
 */
export interface VerifiedGroup {
  /** Each platform's manifest as the index lists it, platform set. */
  images: Array<Descriptor & { wire: number }>
  /** The jobs' attestation manifests (provenance, SBOM), kept beside the images they describe. */
  attestations: Descriptor[]
}

interface Fetched {
  descriptor: Descriptor
  manifest: RegistryManifest & { mediaType?: string }
}

/** A manifest by digest, its bytes checked against the digest they are named by. */
async function fetchManifest(request: RegistryRequest, digest: string): Promise<Fetched> {
  const served = await manifestByDigest(request, digest)
  return { descriptor: { mediaType: served.mediaType, digest, size: served.size }, manifest: served.manifest }
}

/** A single manifest names no platform: its config does. */
async function configPlatform(request: RegistryRequest, manifest: RegistryManifest): Promise<Descriptor['platform']> {
  const response = await request(`blobs/${manifest.config.digest}`)
  if (!response.ok) throw new Error(`its config ${manifest.config.digest} could not be read (HTTP ${response.status})`)
  const config = await boundedJson<{ os: string; architecture: string; variant?: string }>(response, `its config ${manifest.config.digest}`)
  return { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }
}

/** The platforms one job pushed, read from the registry, with its attestations. */
async function readPushedImages(request: RegistryRequest, top: string): Promise<VerifiedGroup> {
  const fetched = await fetchManifest(request, top)
  if (!isIndex(fetched.descriptor.mediaType) && !fetched.manifest.manifests) {
    const platform = await configPlatform(request, fetched.manifest)
    return { images: [{ ...fetched.descriptor, platform, wire: wireOf(fetched.manifest) }], attestations: [] }
  }
  const listed = fetched.manifest.manifests ?? []
  const images = await Promise.all(
    listed.filter(d => !isAttestation(d)).map(async descriptor => ({ ...descriptor, wire: wireOf((await fetchManifest(request, descriptor.digest)).manifest) }))
  )
  return { images, attestations: listed.filter(isAttestation) }
}

/** What differs between the registry and the report, one line each. */
export function mismatches(file: string, report: Report, pushed: VerifiedGroup): string[] {
  const problems: string[] = []
  const found = new Map(pushed.images.map(image => [image.platform ? platformId(image.platform) : 'no platform', image]))
  for (const measured of report.measurement.images) {
    const stored = found.get(measured.platform)
    const said = report.published?.images.find(i => i.platform === measured.platform)
    if (!stored)
      problems.push(`${file}: ${measured.platform} is not in what the registry holds at ${report.published?.digest} (it holds ${[...found.keys()].join(', ')})`)
    else if (said && said.manifestDigest !== stored.digest)
      problems.push(`${file}: ${measured.platform} is ${stored.digest} in the registry, but its report says ${said.manifestDigest}`)
    else if (stored.wire !== measured.wire)
      problems.push(`${file}: ${measured.platform} is ${stored.wire} bytes on the wire in the registry, but its report measured ${measured.wire}`)
  }
  for (const platform of found.keys()) {
    if (!report.measurement.images.some(m => m.platform === platform))
      problems.push(`${file}: the registry holds ${platform} at ${report.published?.digest}, which its report does not measure`)
  }
  return problems
}

/** Why a report could not be merged: the registry disagrees with it, or could not be read for it. */
export interface Refusal {
  kind: 'differs' | 'unread'
  lines: string[]
}

async function verifyReport(request: RegistryRequest, image: string, { file, report }: LoadedReport): Promise<VerifiedGroup | Refusal> {
  const digest = report.published!.digest
  try {
    const pushed = await readPushedImages(request, digest)
    const problems = mismatches(file, report, pushed)
    return problems.length > 0 ? { kind: 'differs', lines: problems } : pushed
  } catch (error) {
    if (error instanceof Disagreement) return { kind: 'differs', lines: error.lines.map(line => `${file}: ${line}`) }
    if (error instanceof Missing)
      return {
        kind: 'differs',
        lines: [`${file}: ${image}@${digest} is not in the registry (${error.message}): was it pushed to another registry, or deleted since?`]
      }
    const why = networkReason(error, pushTarget(image).host, 'check that the registry is up and the job is logged in to it (docker/login-action)')
    return { kind: 'unread', lines: [`${file}: ${image}@${digest} could not be read from the registry: ${why ?? (error as Error).message}`] }
  }
}

/** The sentence that leads the refusal: a registry that did not answer is not said to disagree. */
export function refusalHead(refusals: Refusal[]): string {
  const kinds = new Set(refusals.map(r => r.kind))
  if (kinds.size === 2) return 'the registry could not be read for every report, and what it holds is not what the others say'
  return kinds.has('unread') ? 'the registry could not be read' : 'what the registry holds is not what the reports say'
}

/** Every job's push, read back and checked; all problems of all images are said together, before anything is written. */
export async function verifyGroups(groups: ImageGroup[]): Promise<Map<ImageGroup, VerifiedGroup>> {
  const verified = new Map<ImageGroup, VerifiedGroup>()
  const refusals: Refusal[] = []
  await Promise.all(
    groups
      .filter(group => group.pushed)
      .map(async group => {
        const request = registrySession(pushTarget(group.image), 'pull')
        const results = await Promise.all(group.reports.map(loaded => verifyReport(request, group.image, loaded)))
        const failed = results.filter((r): r is Refusal => 'kind' in r)
        refusals.push(...failed)
        if (failed.length > 0) return
        const good = results as VerifiedGroup[]
        verified.set(group, { images: good.flatMap(r => r.images), attestations: good.flatMap(r => r.attestations) })
      })
  )
  const problems = refusals.flatMap(r => r.lines)
  if (problems.length > 0)
    throw new Error(
      `Cannot merge, so nothing was tagged: ${refusalHead(refusals)}:${problems.length === 1 ? ` ${problems[0]}` : `\n- ${problems.join('\n- ')}`}`
    )
  return verified
}
