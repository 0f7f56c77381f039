import type { Breakdown, BuildInfo } from '../build/index.js'
import type { HistoryPoint } from './history.js'

// What a comparison knows of its base, whatever it came from (a rebuild, the Actions cache, a published image).

/** Per platform, the base's figures; binary and unpacked only when the base was rebuilt. */
export interface BaseImage {
  platform: string
  wire: number
  unpacked?: number
  /** The image config's bytes: the part of the wire size that no layer compression changes. */
  configSize?: number
  binary?: number
  /** The rebuilt base binary's bytes by module and package. */
  breakdown?: Breakdown
  /** A base image's binary's build info: module changes without a rebuild. */
  buildInfo?: BuildInfo
  /** Its layers at zstd 19, measured once for its commit: the head's road not taken is scaled from it. */
  zstd?: ZstdFigure
}

export interface BaselineReport {
  /** Rebuilt in this run, read from the Actions cache (measured by an earlier run), or a published image. */
  source: 'build' | 'cache' | 'image'
  /** The base commit, or the image reference. */
  ref: string
  /** A baseline image's commit (its revision label), when its measurement was read from the cache. */
  revision?: string
  /** The commit on GitHub. */
  link?: string
  /** The run that measured a cached base. */
  run?: string
  /** The Go release a cached base was built with (a rebuilt base uses this run's). */
  goVersion?: string
  images: BaseImage[]
  /** Why there is no baseline; the relative budget is then not judged. */
  error?: string
  /** The tool's own first lines behind the error (the compiler's errors), shown collapsed. */
  detail?: string
  /** Why the report cannot say where the bytes moved (no rebuilt base). */
  attributionNote?: string
  /** Time the rebuilt base spent on attribution. */
  attributionMs?: number
  /** The base branch's measured commits up to the base (its own point last, when it was measured), oldest first. */
  history?: HistoryPoint[]
}

/** A commit's image with zstd layers at `level`: its wire size, measured by compressing every layer. */
export interface ZstdFigure {
  level: number
  wire: number
  /**
   * Scaled, not measured: from the figure of the commit whose layers were compressed (`layers` bytes then). A later
   * commit scales from the same one while its layers stay within ROAD_DRIFT of them.
   */
  from?: { commit: string; layers: number }
}

export interface Road {
  compression: string
  images: Array<{ platform: string; wire: number }>
  /** Scaled from the base commit's own zstd figure: nothing of this run was compressed again. */
  scaledFrom?: {
    commit: string
    link?: string
    run?: string
    rebuilt: boolean
    saved: Array<{ platform: string; share: number }>
  }
}
