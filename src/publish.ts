import type { BuildxMetadata } from './buildx.js'
import type { Measurement } from './measure.js'
import { pushLayout, PushError } from './push.js'
import { explainPushFailure, readPushed, type PushedImage } from './registry.js'
import type { Phase } from './phase.js'
import { warn } from './warnings.js'

export interface Published {
  digest: string
  metadata: BuildxMetadata
  references: string[]
  images: PushedImage[]
}

/** The push, with registry failures turned into one sentence that says what to do and what got out. */
async function pushMeasured(layout: string, tags: string[]): Promise<string> {
  try {
    return await pushLayout(layout, tags)
  } catch (error) {
    const published = error instanceof PushError ? error.published : []
    const missing = tags.filter(t => !published.includes(t))
    const message = (error as Error).message
    const state =
      published.length === 0
        ? 'Nothing was published.'
        : `Published before it stopped: ${published.join(', ')}; not published: ${missing.join(', ') || 'none'}.`
    throw new Error(`push failed: ${explainPushFailure(message, tags) ?? 'the registry did not take the image'}. ${state}\n${message}`, { cause: error })
  }
}

/**
 * Pushes the image that was measured (the OCI layout itself, no rebuild) under every tag, then reads each platform
 * back from the registry and compares its stored size with the measured one.
 */
export async function publish(layout: string, tags: string[], measured: Measurement, metadata: BuildxMetadata): Promise<Published> {
  const digest = await pushMeasured(layout, tags)
  const images = await readPushed(tags[0], digest, measured.images[0].platform)
  for (const image of images) {
    const before = measured.images.find(m => m.platform === image.platform)
    if (before && before.wire !== image.wire)
      warn(`${image.platform}: the registry stores ${image.wire} bytes, but ${before.wire} were measured before the push`)
  }
  return { digest, metadata: { ...metadata, 'containerimage.digest': digest, 'image.name': tags.join(',') }, references: tags, images }
}

/**
 * Publishes only what every check passed: not after a failed smoke test, not over budget. A failure is recorded in
 * `failures` (the report is still written), never thrown.
 */
export async function release(
  push: boolean,
  head: { layout: string; tags: string[]; measurement: Measurement; metadata: BuildxMetadata },
  failures: string[],
  budgetBroken: boolean,
  phase: Phase
): Promise<Published | undefined> {
  if (!push) return undefined
  if (failures.length > 0 || budgetBroken) {
    const why = failures.length > 0 ? 'the checks above failed' : 'the size budget is broken'
    failures.push(`nothing was pushed (${why}): ${head.tags.join(', ')} would have been published`)
    return undefined
  }
  return phase('push', () => publish(head.layout, head.tags, head.measurement, head.metadata)).catch((error: unknown) => {
    failures.push((error as Error).message)
    return undefined
  })
}
