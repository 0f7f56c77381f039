import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { buildInfoStrings, type Shipped, type VersionInfo } from '../build/index.js'
import { NO_VARIABLE, repositoryOf, tagOf, type Settings } from '../settings/index.js'
import { isAttestation, isIndex, layoutEntries, layoutImages, MEDIA, readBlobJson, writeBlob, type Descriptor, type Manifest } from './layout.js'
import { parseModInfo, spdxDocument, type SpdxDocument } from './sbom.js'
import { BINARY_DIR } from './stage.js'
import type { Packed } from './upx.js'
import { sha256File } from './verify.js'

/**
 * SBOMs attached to the OCI layout exactly as BuildKit attaches its own: per image, an in-toto statement in an
 * attestation manifest of the index, named by `vnd.docker.reference.digest`; into the image's existing attestation
 * manifest (buildx's provenance) when there is one. A single-platform image gets an index made for it, as buildx
 * does. Every reader of BuildKit's attestations (imagetools inspect, registries' package pages, scanners) reads these.
 */

export const IN_TOTO = 'application/vnd.in-toto+json'
export const SPDX_PREDICATE = 'https://spdx.dev/Document'
const STATEMENT_TYPE = 'https://in-toto.io/Statement/v0.1'
const REFERENCE_TYPE = 'vnd.docker.reference.type'
const REFERENCE_DIGEST = 'vnd.docker.reference.digest'

const hex = (digest: string) => digest.replace(/^sha256:/, '')

/** How BuildKit names an image in a statement's subject: `pkg:docker/<repository>@<tag>?platform=<os>%2F<arch>`. */
export function subjectName(reference: string, platform: string): string {
  const repository = repositoryOf(reference)
  const tag = tagOf(reference) || 'latest'
  return `pkg:docker/${encodeURIComponent(repository).replace(/%2F/g, '/')}@${tag}?platform=${encodeURIComponent(platform)}`
}

export function sbomStatement(reference: string, platform: string, manifestDigest: string, document: SpdxDocument): Buffer<ArrayBuffer> {
  const statement = {
    _type: STATEMENT_TYPE,
    predicateType: SPDX_PREDICATE,
    subject: [{ name: subjectName(reference, platform), digest: { sha256: hex(manifestDigest) } }],
    predicate: document
  }
  return Buffer.from(JSON.stringify(statement))
}

/** The attestation manifest of one image, with `statement` added to what it held. */
async function attestationWith(dir: string, statement: Descriptor, existing?: Descriptor): Promise<Descriptor> {
  const held = existing ? (await readBlobJson<Manifest>(dir, existing.digest)).layers : []
  const layers = [...held, statement]
  const config = await writeBlob(
    dir,
    Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: layers.map(l => l.digest) } })),
    MEDIA.config
  )
  const manifest: Manifest = { schemaVersion: 2, mediaType: MEDIA.manifest, config, layers }
  return writeBlob(dir, Buffer.from(JSON.stringify(manifest)), MEDIA.manifest)
}

const platformOf = (id: string) => {
  const [os, architecture, variant] = id.split('/')
  return { architecture, os, ...(variant ? { variant } : {}) }
}

/** Adds each platform's SBOM; `reference` names the image in the statements' subjects (its first tag). */
export async function attachSboms(dir: string, reference: string, documents: Map<string, SpdxDocument>): Promise<void> {
  const { top, children } = await layoutEntries(dir)
  const entries = new Map(children.map(child => [child.digest, child]))
  for (const image of await layoutImages(dir)) {
    // A single manifest's descriptor names no platform; in an index it must.
    if (!image.descriptor.platform) entries.set(image.descriptor.digest, { ...image.descriptor, platform: platformOf(image.platform) })
    const document = documents.get(image.platform)
    if (!document) continue
    const blob = await writeBlob(dir, sbomStatement(reference, image.platform, image.descriptor.digest, document), IN_TOTO)
    const statement = { ...blob, annotations: { 'in-toto.io/predicate-type': SPDX_PREDICATE } }
    const existing = children.find(c => isAttestation(c) && c.annotations?.[REFERENCE_DIGEST] === image.descriptor.digest)
    const attestation = await attestationWith(dir, statement, existing)
    if (existing) entries.delete(existing.digest)
    entries.set(attestation.digest, {
      ...attestation,
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { [REFERENCE_DIGEST]: image.descriptor.digest, [REFERENCE_TYPE]: 'attestation-manifest' }
    })
  }
  await writeTop(dir, top, [...entries.values()])
}

/** The layout's top: the index rewritten with `manifests`, or a new index when the image had none. */
async function writeTop(dir: string, top: Descriptor, manifests: Descriptor[]): Promise<void> {
  const index = isIndex(top.mediaType) ? await readBlobJson<Record<string, unknown>>(dir, top.digest) : { schemaVersion: 2, mediaType: MEDIA.index }
  const written = await writeBlob(dir, Buffer.from(JSON.stringify({ ...index, manifests })), MEDIA.index)
  const layoutIndex = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] }
  const annotations = top.annotations ? { annotations: top.annotations } : {}
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({ ...layoutIndex, manifests: [{ ...written, ...annotations }, ...layoutIndex.manifests.slice(1)] })
  )
}

export interface SbomInput {
  settings: Settings
  version: VersionInfo
  /** Each platform's binary: the plain one carries the build info (UPX hides it), the packed one is what ships. */
  packed: Array<Packed<Shipped>>
  /** The final stage's digest, when it is an image the engine check resolved. */
  baseDigest?: string
}

/** Seconds for the document's creation: the commit's, so one commit gives one document; else SOURCE_DATE_EPOCH or now. */
function createdAt(version: VersionInfo): number {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH)
  return version.commitTime ?? (Number.isInteger(epoch) && epoch > 0 ? epoch : Math.floor(Date.now() / 1000))
}

/** Each platform's SPDX document, made from its binary's build info. */
export async function buildInfoSboms(input: SbomInput): Promise<Map<string, SpdxDocument>> {
  const { settings, version } = input
  const stage = settings.stage.finalStage
  const injected = [settings.build.versionVariable, settings.build.buildVariable].filter(v => v !== NO_VARIABLE)
  const documents = await Promise.all(
    input.packed.map(async p => {
      const { goVersion, modules } = buildInfoStrings(await readFile(p.binary.path))
      const info = parseModInfo(goVersion, modules)
      const document = spdxDocument(info, {
        image: settings.publish.image,
        platform: p.binary.platform.id,
        file: `${BINARY_DIR}/${settings.build.binaryName}`,
        fileSha256: await sha256File(p.path),
        version: version.version,
        injected,
        baseImage: stage.kind === 'image' ? { reference: stage.base, digest: input.baseDigest } : undefined,
        created: createdAt(version)
      })
      return [p.binary.platform.id, document] as const
    })
  )
  return new Map(documents)
}

/** What each image of the layout carries as attestations, by predicate type: what the report lists. */
export async function attestationsOf(dir: string): Promise<Array<{ platform: string; predicates: string[] }>> {
  const { children } = await layoutEntries(dir)
  const images = await layoutImages(dir)
  const found: Array<{ platform: string; predicates: string[] }> = []
  for (const child of children.filter(isAttestation)) {
    const image = images.find(i => i.descriptor.digest === child.annotations?.[REFERENCE_DIGEST])
    const manifest = await readBlobJson<Manifest>(dir, child.digest)
    const predicates = manifest.layers.map(l => l.annotations?.['in-toto.io/predicate-type']).filter(p => p !== undefined)
    if (image) found.push({ platform: image.platform, predicates })
  }
  return found.sort((a, b) => a.platform.localeCompare(b.platform))
}
