import { buildImage, type BuildPlanInput, type BuildxMetadata } from './buildx.js'
import type { Measurement } from './measure.js'
import { explainPushFailure, rawManifestPlan, readPushed, type PushedImage } from './registry.js'
import { CommandError, execute } from './runner.js'
import { warn } from './warnings.js'

export interface Published {
  digest: string
  metadata: BuildxMetadata
  references: string[]
  images: PushedImage[]
}

/** Which of the references a registry now serves: after a push that stopped part-way, what did get out. */
async function servedNow(references: string[], builder: string): Promise<{ published: string[]; missing: string[] }> {
  const served = await Promise.all(references.map(async r => (await execute(rawManifestPlan(r, builder), { allowFailure: true, quiet: true })).code === 0))
  return { published: references.filter((_, i) => served[i]), missing: references.filter((_, i) => !served[i]) }
}

/** The push, with registry failures turned into one sentence that says what to do and what got out. */
async function pushImage(input: BuildPlanInput, tags: string[]) {
  try {
    return await buildImage(input)
  } catch (error) {
    const explained = error instanceof CommandError ? explainPushFailure(error.outcome.stderr, tags) : undefined
    const { published, missing } = await servedNow(tags, input.settings.builder)
    const state =
      published.length === 0
        ? 'Nothing was published.'
        : `Published before it stopped: ${published.join(', ')}; not published: ${missing.join(', ') || 'none'}.`
    const tail = error instanceof Error ? error.message.split('\n').slice(-3).join('\n') : String(error)
    throw new Error(`push failed: ${explained ?? 'buildx could not push'}. ${state}\n${tail}`, { cause: error })
  }
}

/**
 * Pushes every platform under every tag, then reads the manifest list back from the registry and compares each
 * platform's stored size with what was measured before the push.
 */
export async function publish(input: BuildPlanInput, tags: string[], measured: Measurement): Promise<Published> {
  const pushed = await pushImage(input, tags)
  const digest = pushed.metadata['containerimage.digest']
  if (!digest) throw new Error('buildx pushed but reported no digest: the image was not published')
  const images = await readPushed(tags[0], digest, input.settings.builder, input.settings.platforms[0].id)
  for (const image of images) {
    const before = measured.images.find(m => m.platform === image.platform)
    if (before && before.wire !== image.wire)
      warn(`${image.platform}: the registry stores ${image.wire} bytes, but ${before.wire} were measured before the push`)
  }
  return { digest, metadata: pushed.metadata, references: tags, images }
}
