import { createHash } from 'node:crypto'
import { MEDIA, platformId, type Descriptor } from '../image/index.js'
import { explainPushFailure, networkReason, putManifestBytes, registrySession, verifyPushed, type PushedImage, type RegistryRequest } from '../publish/index.js'
import { pushTarget, tagOf } from '../settings/index.js'
import type { VerifiedGroup } from './verify.js'

/** The index the merge writes: its bytes, as the registry stores them, and their digest. */
export interface IndexManifest {
  bytes: Buffer<ArrayBuffer>
  digest: string
}

const descriptorOf = ({ mediaType, digest, size, platform, annotations }: Descriptor): Descriptor => ({
  mediaType,
  digest,
  size,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {})
})

/**
 * One OCI index of every job's platforms, in platform order, then their attestations in the same order: the same
 * pushes give the same bytes, and so the same digest, whatever order the jobs finished or the files were found in.
 */
export function indexManifest(verified: VerifiedGroup, annotations: Record<string, string>): IndexManifest {
  const images = [...verified.images].sort((a, b) => platformId(a.platform!).localeCompare(platformId(b.platform!)))
  const rank = (d: Descriptor) => images.findIndex(i => i.digest === d.annotations?.['vnd.docker.reference.digest'])
  const attestations = [...verified.attestations].sort((a, b) => rank(a) - rank(b) || a.digest.localeCompare(b.digest))
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [...images, ...attestations].map(descriptorOf),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {})
  }
  const bytes = Buffer.from(JSON.stringify(index))
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` }
}

/** The index of one image's verified pushes, to be written under its tags, with the sizes its read-back must find. */
export function indexWrite(image: string, tags: string[], verified: VerifiedGroup, annotations: Record<string, string>): IndexWrite {
  const measured = verified.images.map(i => ({ platform: platformId(i.platform!), wire: i.wire }))
  return { image, tags, index: indexManifest(verified, annotations), measured }
}

const putIndex = (request: RegistryRequest, index: IndexManifest, reference: string) => putManifestBytes(request, MEDIA.index, index.bytes, reference)

export interface Tagged {
  /** The index's digest, which every reference names. */
  digest: string
  /** The references written, in order; fewer than asked when `error` says why. */
  references: string[]
  error?: string
  /** Each platform as the registry serves it under the first tag. */
  images: PushedImage[]
}

export interface IndexWrite {
  image: string
  tags: string[]
  index: IndexManifest
  /** Each platform's wire size as the jobs' pushes were read and checked: what the tags must serve. */
  measured: Array<{ platform: string; wire: number }>
}

function failed(write: IndexWrite, error: unknown, references: string[]): Tagged {
  const message = (error as Error).message
  const why = networkReason(error, pushTarget(write.image).host) ?? explainPushFailure(message, write.tags) ?? message
  const missing = write.tags.filter(t => !references.includes(t))
  const state = references.length === 0 ? 'Nothing of it was tagged.' : `Tagged before it stopped: ${references.join(', ')}; not tagged: ${missing.join(', ')}.`
  return { digest: write.index.digest, references, images: [], error: `the index of ${write.image} could not be written: ${why}. ${state}` }
}

/** Every tag read back: its bytes must hash to the index written, and the platforms under it to what the jobs measured. */
async function readBack(write: IndexWrite, references: string[]): Promise<Tagged> {
  try {
    return { digest: write.index.digest, references, images: await verifyPushed(write.tags, write.index.digest, write.measured, true) }
  } catch (error) {
    const where = `${write.tags.join(', ')} at ${write.index.digest}`
    return {
      digest: write.index.digest,
      references,
      images: [],
      error: `the index is written (${where}), but reading it back from the registry failed: ${(error as Error).message}`
    }
  }
}

/**
 * Writes every index by digest, then every tag: until the first tag is written nothing new can be pulled by name,
 * so a failure before it publishes nothing; one after it says which tags got out.
 */
export async function writeIndexes(writes: IndexWrite[]): Promise<Tagged[]> {
  const sessions = writes.map(write => registrySession(pushTarget(write.image), 'pull,push'))
  const stored = await Promise.all(
    writes.map((write, i) =>
      putIndex(sessions[i], write.index, write.index.digest).then(
        () => undefined,
        (error: unknown) => failed(write, error, [])
      )
    )
  )
  const refused = stored.find(s => s !== undefined)
  if (refused)
    return writes.map(
      (write, i) => stored[i] ?? { digest: write.index.digest, references: [], images: [], error: `${write.image} was not tagged: ${refused.error}` }
    )
  const results: Tagged[] = []
  for (const [i, write] of writes.entries()) {
    const references: string[] = []
    try {
      for (const tag of write.tags) {
        await putIndex(sessions[i], write.index, tagOf(tag))
        references.push(tag)
      }
    } catch (error) {
      results.push(failed(write, error, references))
      continue
    }
    results.push(await readBack(write, references))
  }
  return results
}
