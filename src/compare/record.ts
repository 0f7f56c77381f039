import type { Breakdown } from '../build/index.js'
import type { Target } from '../measure/index.js'
import type { HistoryPoint } from './history.js'
import type { BaseImage, ZstdFigure } from './types.js'

/**
 * What a run measured of one commit, kept in the Actions cache so that a later comparison reads it instead of
 * rebuilding the commit: per platform, everything a comparison and the "why it grew" split need of a base.
 * Bumped whenever the schema or what goes into the key changes, so an older entry is never read as a newer one.
 */
// 2: the split counts embedded data, which a format-1 split left unexplained (a base of format 1 would show it as growth).
// 3: the split places the function table, type descriptors and strings by package, and counts only them as explained.
// 4: a record carries its branch's history, and its key starts with the image's lineage (a history survives a settings change).
export const RECORD_FORMAT = 4

export interface RecordedImage {
  platform: string
  wire: number
  unpacked: number
  configSize: number
  layers: Array<{ size: number; unpacked: number }>
  /** The file in the image: packed when UPX packed it. */
  binary: number
  breakdown?: Breakdown
  /** The same layers at zstd 19, when the run measured it (gzip layers, no UPX): the road not taken. */
  zstd?: ZstdFigure
}

export interface MeasurementRecord {
  format: typeof RECORD_FORMAT
  /** The commit measured: the run's HEAD, 40 (or 64) hex digits. */
  commit: string
  /** The workflow run that measured it, linked from the report. */
  run?: string
  goVersion: string
  images: RecordedImage[]
  /** The branch's measured commits up to this one (its own point last), oldest first: a push keeps them. */
  history?: HistoryPoint[]
}

/** What a finished target measured, as it is stored. */
export function recordOf(target: Target, commit: string, run: string | undefined, zstd?: Map<string, ZstdFigure>): MeasurementRecord {
  return {
    format: RECORD_FORMAT,
    commit,
    run,
    goVersion: target.packed[0].binary.goVersion,
    images: target.measurement.images.map(measured => {
      const packed = target.packed.find(p => p.binary.platform.id === measured.platform)
      if (!packed) throw new Error(`no binary was built for ${measured.platform}`)
      return {
        platform: measured.platform,
        wire: measured.wire,
        unpacked: measured.unpacked,
        configSize: measured.configSize,
        layers: measured.layers.map(layer => ({ size: layer.size, unpacked: layer.unpacked })),
        binary: packed.size,
        breakdown: packed.binary.breakdown,
        zstd: zstd?.get(measured.platform)
      }
    })
  }
}

/** The record as the comparison reads a base. */
export function baseImagesOf(record: MeasurementRecord): BaseImage[] {
  return record.images.map(({ platform, wire, unpacked, configSize, binary, breakdown, zstd }) => ({
    platform,
    wire,
    unpacked,
    configSize,
    binary,
    breakdown,
    zstd
  }))
}

/**
 * The cache key: the format, the image's lineage (which main package of which module folder), what shapes the image,
 * and the commit; nothing else may ever match it. The prefixes find the latest entry of the same shape, or of the same
 * lineage: the history a push continues when its own commits before it were never measured.
 */
export function recordKey(lineage: string, fingerprint: string, commit: string): string {
  return `${shapePrefix(lineage, fingerprint)}${commit}`
}

export const lineagePrefix = (lineage: string) => `go-slim-image-m${RECORD_FORMAT}-${lineage}-`
export const shapePrefix = (lineage: string, fingerprint: string) => `${lineagePrefix(lineage)}${fingerprint}-`

/** A key as recordKey makes them, whatever the format: the shape a key read from the cache or a store left must have. */
const RECORD_KEY = /^go-slim-image-m\d+-[0-9a-f]{12}-[0-9a-f]{32}-([0-9a-f]{40}(?:[0-9a-f]{24})?)$/

/** The commit a key names, its last part; undefined for a key recordKey could not have made. */
export const keyCommit = (key: string) => RECORD_KEY.exec(key)?.[1]
