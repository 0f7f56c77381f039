import { defaultProvenance } from './github.js'
import { parseList } from './lists.js'
import { type Reading, parseBoolean } from './reading.js'
import { MAX_NAME, isImageReference, isRepository } from './references.js'
import type { BuildSettings, PublishSettings, SbomChoice } from './types.js'
import { shown } from './values.js'

// The publish group: the image's name and tags, load and push, annotations, provenance and SBOM.

/**
 * Empty is ko's default: an SBOM with every push, none otherwise. true and false say so; buildkit, or BuildKit's own
 * key=value attributes, hand the job to buildx, whose scanner runs as an image it pulls.
 */
export function parseSbom(text: string, push: boolean): SbomChoice {
  const value = text.toLowerCase()
  if (value === '') return push ? { kind: 'build-info' } : { kind: 'off' }
  if (value === 'true' || value === '1') return { kind: 'build-info' }
  if (value === 'false' || value === '0') return { kind: 'off' }
  if (value === 'buildkit') return { kind: 'buildkit', value: 'true' }
  if (text.includes('=') && !attestationProblem('sbom', text)) return { kind: 'buildkit', value: text }
  throw new Error(
    `sbom "${shown(text)}" must be true (an SPDX SBOM made from the binary's build info), false, buildkit (BuildKit's scanner, run as an image it pulls), or BuildKit's key=value attributes like generator=<image>`
  )
}

/** buildx's --provenance and --sbom: true/false, or comma-separated key=value attributes (mode=min|max, …). */
export function attestationProblem(name: 'provenance' | 'sbom', value: string): string | undefined {
  if (value === '' || /^(true|false|1|0)$/i.test(value)) return undefined
  const pairs = value.split(',').map(pair => pair.split('='))
  // buildx reads the value as CSV: a quote, a space or a line break in a value would change what the other fields say.
  if (pairs.some(pair => pair.length !== 2 || !/^[a-z][a-z-]*$/.test(pair[0]) || !/^[\w./:@+-]+$/.test(pair[1]))) {
    return `${name} "${shown(value)}" must be true, false, or key=value attributes like ${name === 'provenance' ? 'mode=max' : 'generator=<image>'}`
  }
  for (const [key, given] of pairs) {
    const allowed = ATTRIBUTES[name][key]
    if (!allowed) return `${name} "${shown(value)}": ${key} is not one of buildx's ${name} attributes (${Object.keys(ATTRIBUTES[name]).join(', ')})`
    if (allowed !== ANY && !allowed.includes(given)) return `${name} "${shown(value)}": ${key} must be ${allowed.join(' or ')}`
  }
  return undefined
}

// buildx's attributes of --provenance and --sbom (BuildKit's attestation options), with the values each takes: an
// unknown one would fail the build only after everything was built.
const ANY = 'any'
const FLAG = ['true', 'false']
const ATTRIBUTES: Record<'provenance' | 'sbom', Record<string, string[] | typeof ANY>> = {
  provenance: { mode: ['min', 'max'], version: ['v0.2', 'v1'], 'builder-id': ANY, reproducible: FLAG, 'inline-only': FLAG, filename: ANY, disabled: FLAG },
  sbom: { generator: ANY, 'scan-context': FLAG, 'scan-stage': FLAG, disabled: FLAG }
}

export function readPublish(reading: Reading, build: BuildSettings): PublishSettings {
  const { get, attempt, problems } = reading
  const image = get('image') || (reading.env.GITHUB_REPOSITORY ?? build.binaryName).toLowerCase()
  if (!isRepository(image))
    problems.push(`image "${shown(image)}" is not a valid repository name (lower case, at most ${MAX_NAME} characters, like ghcr.io/owner/name)`)
  const tags = parseList(get('tags'), { commas: true })
  for (const tag of tags) {
    if (!isImageReference(tag)) problems.push(`tag "${shown(tag)}" is not a valid image reference, like ghcr.io/owner/name:1.2.3`)
    else if (tag.includes('@')) problems.push(`tag "${shown(tag)}" holds a digest: a tag names what is pushed, drop the @sha256:… part`)
  }
  const load = attempt(() => parseBoolean('load', get('load')), true)
  const push = attempt(() => parseBoolean('push', get('push')), false)
  const byDigest = attempt(() => parseBoolean('push-by-digest', get('push-by-digest')), false)
  if (byDigest) problems.push(...byDigestProblems(push, tags, get('image')))
  else if (push && tags.length === 0) {
    problems.push(
      "push is true but tags is empty: pass the references to publish, like ghcr.io/owner/app:1.2.3 (docker/metadata-action's tags output works as is)"
    )
  }
  const provenanceText = get('provenance')
  const provenanceWhy = attestationProblem('provenance', provenanceText)
  if (provenanceWhy) problems.push(provenanceWhy)
  const provenance = provenanceText || (push ? { pushed: defaultProvenance(reading.env.GITHUB_EVENT_PATH) } : '')
  const sbom = attempt(() => parseSbom(get('sbom'), push), { kind: 'off' } as SbomChoice)
  return { image, tags, load, push, byDigest, annotations: readAnnotations(reading, build.platforms.length), provenance, sbom }
}

/** push-by-digest is how a push is made, push whether: both, to a repository named outright, with no tags to ignore. */
function byDigestProblems(push: boolean, tags: string[], image: string): string[] {
  const problems: string[] = []
  if (!push) problems.push('push-by-digest is true but push is false: set push: true as well (push-by-digest only says how to push)')
  if (tags.length > 0)
    problems.push(
      `push-by-digest pushes to image by digest only, untagged, so tags (${shown(tags.join(', '))}) would be ignored: leave tags empty; the job that merges the digests tags the index`
    )
  if (!image) problems.push('push-by-digest needs image: the repository the digests go to, like ghcr.io/owner/app')
  return problems
}

/** Where a push goes: every tag, or (push-by-digest) the image's repository, by digest only. */
export const pushTargets = (publish: PublishSettings): string[] => (publish.byDigest ? [publish.image] : publish.tags)

function readAnnotations({ get, problems }: Reading, platformCount: number): string[] {
  const annotations = parseList(get('annotations'), { commas: false })
  for (const annotation of annotations) {
    if (!/^([a-z-]+(\[[^\]]+\])?(,[a-z-]+(\[[^\]]+\])?)*:)?[^=\s]+=/.test(annotation))
      problems.push(`annotation "${shown(annotation)}" is not of the form [type:]key=value`)
    else if (/^[^=]*\bindex\b[^=]*:/.test(annotation) && platformCount < 2)
      problems.push(
        `annotation "${shown(annotation)}" is for an image index, which one platform does not make: use manifest: instead, or build two or more platforms`
      )
  }
  return annotations
}
