import { buildImage, type BuildPlanInput, type BuildxMetadata } from './buildx.js'
import type { Measurement } from './measure.js'
import { explainPushFailure, readPushed, type PushedImage } from './registry.js'
import { CommandError } from './runner.js'
import { warn } from './warnings.js'

export interface Published {
  digest: string
  metadata: BuildxMetadata
  references: string[]
  images: PushedImage[]
}

/** The push, with registry failures turned into one sentence that says what to do. */
async function pushImage(input: BuildPlanInput, tags: string[]) {
  try {
    return await buildImage(input)
  } catch (error) {
    const explained = error instanceof CommandError ? explainPushFailure(error.outcome.stderr, tags) : undefined
    if (!explained) throw error
    throw new Error(`push failed: ${explained}\n${error instanceof Error ? error.message.split('\n').slice(-3).join('\n') : ''}`, { cause: error })
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
