import { type Overridden, type VersionInfo } from '../build/index.js'
import type { Attribution, BaselineReport, HistoryPoint, Road } from '../compare/index.js'
import type { Measurement } from '../measure/index.js'
import type { Published } from '../publish/index.js'
import { type SmokeResult } from '../run/index.js'
import type { GateOutcome } from './gate.js'
import { prose } from './md.js'

// The report as data (report-json): the Markdown is rendered from it, a merge job reads it back.

export interface BinaryFigures {
  platform: string
  unstripped: number
  stripped: number
  /** Size in the image: packed when UPX packed it. */
  final: number
  packed: boolean
  upxDeclined?: string
  packMs?: number
  gzipUnpacked?: number
  gzipPacked?: number
  /** zstd of the plain binary (the action's level): what zstd layers would save instead of UPX. */
  zstdUnpacked?: number
  startupUnpackedMs?: number
  startupPackedMs?: number
  /** Runs of each binary the start-up figures are the median of. */
  startupRuns?: number
}

/** The branch's measured commits, and this run's own image as the last point when it is not one of them (a pull request). */
export interface SizeHistory {
  /** The branch: the pull request's base, or the branch pushed. Text from the event: shown in code spans only. */
  branch?: string
  /** Oldest first. */
  points: HistoryPoint[]
  /** The run's image, when it is no commit of the branch: a pull request (its number), or a run compared with one. */
  head?: { number?: number; images: HistoryPoint['images'] }
  /** max-size, drawn as a line. */
  maxSize?: number
}

/** What report-json holds, numbered so that a merge job can tell a report it reads apart from an older one. */
export const REPORT_FORMAT = 1

export interface Report {
  format: typeof REPORT_FORMAT
  image: string
  tags: string[]
  digest?: string
  /** `replaced`: with no tag, the program's own default that 0.1.0 took the place of. */
  version: VersionInfo & { replaced?: { variable: string; value: string } }
  /** Where the version and the build went; `injected: false` means the binary does not carry them. */
  injections?: Array<{ role: 'version' | 'build'; variable: string; injected: boolean; overridden?: Overridden }>
  goVersion: string
  /** The go build command of the first platform, as run. */
  goBuild: string
  upx: string
  finalStage: string
  binaries: BinaryFigures[]
  measurement: Measurement
  /** What the layers the action adds hold, in order (the last layers of every image). */
  layerNames?: string[]
  /** Milliseconds per phase, in the order they ran. */
  timings: Record<string, number>
  /** Milliseconds spent in go, upx, docker and git: the rest of the phases is the action's own work. */
  toolMs: number
  smoke?: SmokeResult
  /** Per platform, what its attestations state (predicate types): SBOM, provenance. */
  attestations?: Array<{ platform: string; predicates: string[] }>
  /** Where the SBOM came from: the binary's build info (the action's own), or BuildKit's scanner. */
  sbom?: 'build info' | 'buildkit'
  /** What failed after the image was measured (smoke test, push): the step fails after this report is written. */
  failures?: string[]
  published?: Published
  baseline?: BaselineReport
  /** Per platform, where the binary's bytes go and (with a base) what moved. */
  attribution?: Attribution[]
  /** Milliseconds spent on attribution, head and base. */
  attributionMs?: number
  gate?: GateOutcome & { limits: string }
  /** How the layers are compressed, as said in the report: `gzip (BuildKit)`, `zstd 19`. */
  compression?: string
  /** With gzip layers and no UPX: the same layers with zstd (`zstd 19`), measured here or scaled from the base's. */
  roadNotTaken?: Road
  /** The branch's size over its measured commits (history-json). */
  history?: SizeHistory
  warnings: string[]
}

/** Starts the lines whose figures change from run to run (times): a comment differing only there is left alone. */
export const VARIES = '⏱'

/** The report without its run-to-run lines: equal when nothing but times changed. */
export function stableText(markdown: string): string {
  return markdown
    .split('\n')
    .filter(line => !line.startsWith(VARIES) && !line.startsWith(`- ${VARIES}`))
    .join('\n')
}

export const attributionOf = (report: Report, platform: string) => report.attribution?.find(a => a.platform === platform)

/** A pull fetches one platform: the headline speaks of the largest, never of a sum no client downloads. */
export function largest(report: Report) {
  const images = report.measurement.images
  const top = images.reduce((a, b) => (b.wire > a.wire ? b : a))
  return { image: top, label: images.length === 1 ? '' : ` (${prose(top.platform)}, the largest of ${images.length} platforms)` }
}
