import { wireWith } from '../image/index.js'
import type { Target } from '../measure/index.js'
import { ZSTD_LEVEL, type Settings } from '../settings/index.js'
import type { MeasurementRecord, RecordedImage } from './record.js'
import type { BaselineReport, Road, ZstdFigure } from './types.js'
import { info } from '../process/index.js'

/**
 * The zstd road not taken: what `compression: zstd` would make of an image with gzip layers and no UPX. zstd 19 is
 * slow (about 1 s per MB of layer on a 2-core runner, linear in the binary), so it is measured once per commit, by the
 * run that stores the commit's measurement (a push, or a pull request that rebuilt its base), and a pull request
 * scales its base's figure to its own layers instead of compressing them again.
 */

/** Only where it is advice: gzip layers (zstd is taken already otherwise) and no UPX (packed bytes do not compress). */
export const roadApplies = (settings: Pick<Settings, 'pack' | 'stage'>) => settings.stage.compression.kind === 'gzip' && settings.pack.upx === 'off'

/** Every layer of the target compressed at zstd 19, per platform; undefined (and one info line) if that fails. */
export async function measureRoad(target: Pick<Target, 'layout'>): Promise<Map<string, ZstdFigure> | undefined> {
  try {
    const images = await wireWith(target.layout, { kind: 'zstd', level: ZSTD_LEVEL })
    return new Map(images.map(i => [i.platform, { level: ZSTD_LEVEL, wire: i.wire }]))
  } catch (error) {
    // Advice only: a failure here costs the report a line, never the run.
    info(`the zstd road not taken could not be measured: ${(error as Error).message}`)
    return undefined
  }
}

const layerBytes = (image: { wire: number; configSize: number }) => image.wire - image.configSize

/**
 * The head's zstd wire size, each platform's layers scaled by the share zstd took off the base's layers: a change
 * that adds a few packages moves that share by tenths of a percent, so the estimate stays within that of a measurement.
 */
export function scaledRoad(head: Target, base: BaselineReport | undefined): Road | undefined {
  if (!base || base.error) return undefined
  const images = []
  const saved = []
  for (const now of head.measurement.images) {
    const was = base.images.find(b => b.platform === now.platform)
    const zstd = was?.zstd
    if (!was || !zstd || zstd.level !== ZSTD_LEVEL || was.configSize === undefined || was.wire <= was.configSize) return undefined
    const ratio = (zstd.wire - was.configSize) / (was.wire - was.configSize)
    images.push({ platform: now.platform, wire: now.configSize + Math.round(layerBytes(now) * ratio) })
    saved.push({ platform: now.platform, share: 1 - ratio })
  }
  const scaledFrom = { commit: base.revision ?? base.ref, link: base.link, run: base.run, rebuilt: base.source === 'build', saved }
  return { compression: `zstd ${ZSTD_LEVEL}`, images, scaledFrom }
}

/**
 * How far a commit's layers may drift from the last ones compressed before its figure is measured again rather than
 * scaled: the added bytes would have to compress far unlike the rest to move the figure by more than a few tenths of
 * a percent, and past this the chain of scaled figures starts over from a measurement.
 */
export const ROAD_DRIFT = 0.02

/** What derivedFigures reads of an image: its platform, wire size and config size (the rest is layers). */
export type ImageSizes = Pick<RecordedImage, 'platform' | 'wire' | 'configSize'>

/**
 * A push's zstd figures from an earlier commit's stored ones: each platform's layers scaled by the share zstd took
 * off that commit's, while they are within ROAD_DRIFT of the layers last compressed. Undefined: measure instead.
 */
export function derivedFigures(images: ImageSizes[], earlier: MeasurementRecord): Map<string, ZstdFigure> | undefined {
  const figures = new Map<string, ZstdFigure>()
  for (const now of images) {
    const was = earlier.images.find(i => i.platform === now.platform)
    const zstd = was?.zstd
    if (!was || !zstd || zstd.level !== ZSTD_LEVEL || was.wire <= was.configSize) return undefined
    const origin = zstd.from ?? { commit: earlier.commit, layers: layerBytes(was) }
    if (Math.abs(layerBytes(now) - origin.layers) > ROAD_DRIFT * origin.layers) return undefined
    const ratio = (zstd.wire - was.configSize) / layerBytes(was)
    figures.set(now.platform, { level: ZSTD_LEVEL, wire: now.configSize + Math.round(layerBytes(now) * ratio), from: origin })
  }
  return figures
}

/** The figures of this run's own layers, measured here, as the report shows them. */
export function measuredRoad(figures: Map<string, ZstdFigure> | undefined): Road | undefined {
  if (!figures || figures.size === 0) return undefined
  return { compression: `zstd ${ZSTD_LEVEL}`, images: [...figures].map(([platform, { wire }]) => ({ platform, wire })) }
}

/**
 * The road the report shows, on a pull request only: scaled from its base's figure, or measured on its own layers when
 * the base has none (an entry stored before the figure was kept, a base that did not build, compare: off). A push's
 * figure is its post step's, for the pull requests that will compare with it.
 */
export function headRoad(settings: Settings, head: Target, baseline: Promise<BaselineReport | undefined>): Promise<Road | undefined> | undefined {
  if (!roadApplies(settings) || !settings.github.pullRequest) return undefined
  return baseline.catch(() => undefined).then(async base => scaledRoad(head, base) ?? measuredRoad(await measureRoad(head)))
}
