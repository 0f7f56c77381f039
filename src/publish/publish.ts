import type { BuildxMetadata } from '../image/index.js'
import type { Measurement } from '../measure/index.js'
import type { Phase } from '../process/index.js'
import { pushTargets, type PublishSettings } from '../settings/index.js'
import { PushError, pushLayout } from './push.js'
import { Disagreement, verifyPushed } from './readback.js'
import { explainPushFailure, type PushedImage } from './registry.js'

export interface Published {
  digest: string
  metadata: BuildxMetadata
  references: string[]
  images: PushedImage[]
  /** Pushed untagged, to the image's repository: a merge job tags it (with other jobs' digests) as one index. */
  byDigest?: boolean
}

/** A push that stopped part-way: what to do, and what got out (the digest output names it). */
export class PartialPush extends Error {
  constructor(
    message: string,
    readonly published?: Published
  ) {
    super(message)
  }
}

const publishedAs = (digest: string, tags: string[], metadata: BuildxMetadata, images: PushedImage[] = []): Published => ({
  digest,
  metadata: { ...metadata, 'containerimage.digest': digest, 'image.name': tags.join(',') },
  references: tags,
  images
})

/** The push, with registry failures turned into one sentence that says what to do and what got out. */
async function pushMeasured(layout: string, tags: string[], metadata: BuildxMetadata, tagged: boolean): Promise<string> {
  try {
    return await pushLayout(layout, tags, tagged)
  } catch (error) {
    const published = error instanceof PushError ? error.published : []
    const missing = tags.filter(t => !published.includes(t))
    const message = (error as Error).message
    const state =
      published.length === 0
        ? 'Nothing was published.'
        : `Published before it stopped: ${published.join(', ')}; not published: ${missing.join(', ') || 'none'}.`
    const partial = error instanceof PushError && error.digest && published.length > 0 ? publishedAs(error.digest, published, metadata) : undefined
    throw new PartialPush(`push failed: ${explainPushFailure(message, tags) ?? 'the registry did not take the image'}. ${state}\n${message}`, partial)
  }
}

// Waits before each new read of a pushed image: a registry may answer an error for a moment after a write.
export const READ_BACK_WAITS_MS = [1000, 3000]

/** The push read back and checked, tried again after a failed read or a difference (a registry may lag a moment). */
async function readBack(tags: string[], digest: string, measured: Measurement, tagged: boolean): Promise<PushedImage[]> {
  for (const wait of READ_BACK_WAITS_MS) {
    try {
      return await verifyPushed(tags, digest, measured.images, tagged)
    } catch {
      await new Promise(resolve => setTimeout(resolve, wait))
    }
  }
  return verifyPushed(tags, digest, measured.images, tagged)
}

/**
 * Pushes the image that was measured (the OCI layout itself, no rebuild) under every tag, then reads every tag back
 * (its bytes must hash to the pushed digest) and each platform's manifest (its sizes must sum to what was measured).
 * A push that is complete stays reported as published when the read-back fails or disagrees; the step fails.
 */
export async function publish(layout: string, tags: string[], measured: Measurement, metadata: BuildxMetadata, tagged = true): Promise<Published> {
  const digest = await pushMeasured(layout, tags, metadata, tagged)
  const images = await readBack(tags, digest, measured, tagged).catch((error: unknown) => {
    const where = `${tags.join(', ')} at ${digest}`
    const message =
      error instanceof Disagreement
        ? `the push is complete (${where}), but the registry does not serve what was pushed and measured: ${error.message}`
        : `the push is complete (${where}), but reading it back from the registry failed ${READ_BACK_WAITS_MS.length + 1} times, so what it serves is not checked: ${(error as Error).message}`
    throw new PartialPush(message, publishedAs(digest, tags, metadata))
  })
  return publishedAs(digest, tags, metadata, images)
}

/**
 * Publishes only what every check passed: not after a failed smoke test, not over budget. A failure is recorded in
 * `failures` (the report is still written), never thrown.
 */
export async function release(
  settings: PublishSettings,
  head: { layout: string; measurement: Measurement; metadata: BuildxMetadata },
  failures: string[],
  budgetBroken: boolean,
  phase: Phase
): Promise<Published | undefined> {
  if (!settings.push) return undefined
  const targets = pushTargets(settings)
  if (failures.length > 0 || budgetBroken) {
    const why = failures.length > 0 ? 'the checks above failed' : 'the size budget is broken'
    failures.push(`nothing was pushed (${why}): ${targets.join(', ')} would have been published${settings.byDigest ? ' by digest' : ''}`)
    return undefined
  }
  const pushed = phase('push', () => publish(head.layout, targets, head.measurement, head.metadata, !settings.byDigest))
  return (settings.byDigest ? pushed.then(p => ({ ...p, byDigest: true })) : pushed).catch((error: unknown) => {
    failures.push((error as Error).message)
    // What did get out is reported and named by the digest output, though the step fails.
    return error instanceof PartialPush ? error.published : undefined
  })
}
