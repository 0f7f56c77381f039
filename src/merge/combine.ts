import type { BaselineReport, HistoryPoint, Road } from '../compare/index.js'
import type { Published } from '../publish/index.js'
import { baselineOrigin, describeBudget, human, judge, type GateOutcome, type Report } from '../report/index.js'
import { type Budget } from '../settings/index.js'

/** The reports of one image's jobs (one per platform) as one report, as if one job had built every platform. Pure. */

type Gate = NonNullable<Report['gate']>

const unique = <T>(items: T[]) => [...new Set(items)]
const byPlatform = <T extends { platform: string }>(items: T[]) => [...items].sort((a, b) => a.platform.localeCompare(b.platform))

/** Every job's verdict, and the merge's own budget over every platform: one failure anywhere fails the whole. */
export function mergeGates(gates: Array<Gate | undefined>): Gate | undefined {
  const given = gates.filter(g => g !== undefined)
  if (given.length === 0) return undefined
  const result = given.some(g => g.result === 'fail') ? 'fail' : given.some(g => g.result === 'pass') ? 'pass' : 'skipped'
  return {
    result,
    failures: given.flatMap(g => g.failures),
    skipped: given.flatMap(g => g.skipped),
    checked: given.reduce((sum, g) => sum + g.checked, 0),
    limits: unique(given.map(g => g.limits)).join('; ')
  }
}

/** The merge's budget (its max-size and max-increase) judged over the platforms of one merged report. */
export function judgeMerged(report: Report, budget: Budget): (GateOutcome & { limits: string }) | undefined {
  if (budget.maxSize === undefined && !budget.maxIncrease) return undefined
  const sizes = report.measurement.images.map(image => ({
    platform: image.platform,
    wire: image.wire,
    baseWire: report.baseline?.images.find(b => b.platform === image.platform)?.wire
  }))
  return { ...judge(sizes, budget, human), limits: `${describeBudget(budget)} (merge)` }
}

/** The bases of every platform; where they came from differently, that is said, since one line cannot say it. */
function mergeBaselines(reports: Report[]): { baseline?: BaselineReport; note?: string } {
  const given = reports.filter(r => r.baseline)
  if (given.length === 0) return {}
  const measured = given.filter(r => !r.baseline!.error)
  const first = (measured[0] ?? given[0]).baseline!
  const baseline: BaselineReport = {
    ...first,
    images: byPlatform(given.flatMap(r => r.baseline!.images)),
    error: measured.length === 0 ? first.error : undefined,
    detail: measured.length === 0 ? first.detail : undefined,
    attributionMs: given.reduce((sum, r) => sum + (r.baseline!.attributionMs ?? 0), 0)
  }
  const origins = unique(measured.map(r => baselineOrigin(r.baseline!)))
  const note =
    origins.length > 1
      ? `The platforms were compared with bases from different places: ${measured.map(r => `${r.measurement.images.map(i => i.platform).join(', ')}: ${baselineOrigin(r.baseline!)}`).join(' ')}`
      : undefined
  return { baseline, note }
}

function mergeRoads(reports: Report[]): Road | undefined {
  const roads = reports.map(r => r.roadNotTaken).filter(r => r !== undefined)
  if (roads.length === 0) return undefined
  const scaled = roads.filter(r => r.scaledFrom)
  return {
    compression: roads[0].compression,
    images: byPlatform(roads.flatMap(r => r.images)),
    ...(scaled.length > 0 ? { scaledFrom: { ...scaled[0].scaledFrom!, saved: scaled.flatMap(r => r.scaledFrom!.saved) } } : {})
  }
}

/** The jobs' histories as one: each commit's platforms together, in the order of the longest history. */
function mergeHistories(reports: Report[]): Report['history'] {
  const given = reports.map(r => r.history).filter(h => h !== undefined)
  if (given.length === 0) return undefined
  const sorted = [...given].sort((a, b) => b.points.length - a.points.length)
  const points = new Map<string, HistoryPoint>()
  for (const point of sorted.flatMap(h => h.points)) {
    const known = points.get(point.commit)
    points.set(
      point.commit,
      known ? { ...known, images: byPlatform([...known.images, ...point.images.filter(i => !known.images.some(k => k.platform === i.platform))]) } : point
    )
  }
  // A commit only a shorter history has comes last in the map: the commits' dates put it back in its place.
  const merged = [...points.values()]
  const dated = merged.every(p => p.date) ? merged.sort((a, b) => Date.parse(a.date!) - Date.parse(b.date!)) : merged
  const heads = given.filter(h => h.head)
  const head = heads.length > 0 ? { number: heads[0].head!.number, images: byPlatform(heads.flatMap(h => h.head!.images)) } : undefined
  return { branch: sorted[0].branch, points: dated, head, maxSize: sorted[0].maxSize }
}

/** The slowest job's time per phase: the jobs ran side by side. */
function slowest(reports: Report[]): Record<string, number> {
  const timings: Record<string, number> = {}
  for (const report of reports) for (const [phase, ms] of Object.entries(report.timings)) timings[phase] = Math.max(timings[phase] ?? 0, ms)
  return timings
}

export interface Combined {
  /** The index written, or none (nothing was pushed, or nothing could be tagged). */
  published?: Published
  /** References the index goes under, or would have. */
  tags: string[]
  failures: string[]
}

/** One image's reports, in platform order, as one report. */
export function combineReports(reports: Report[], merged: Combined): Report {
  const [first] = reports
  const { baseline, note } = mergeBaselines(reports)
  const single = reports.length === 1 ? first.digest : undefined
  return {
    ...first,
    tags: merged.tags.length > 0 ? merged.tags : first.tags,
    digest: merged.published?.digest ?? single,
    binaries: byPlatform(reports.flatMap(r => r.binaries)),
    measurement: { route: first.measurement.route, indexDigest: merged.published?.digest, images: byPlatform(reports.flatMap(r => r.measurement.images)) },
    timings: slowest(reports),
    toolMs: Math.max(...reports.map(r => r.toolMs)),
    smoke: reports.find(r => r.smoke)?.smoke,
    failures: unique([...reports.flatMap(r => r.failures ?? []), ...merged.failures]),
    published: merged.published,
    baseline,
    attribution: byPlatform(reports.flatMap(r => r.attribution ?? [])),
    attributionMs: reports.reduce((sum, r) => sum + (r.attributionMs ?? 0), 0),
    gate: mergeGates(reports.map(r => r.gate)),
    roadNotTaken: mergeRoads(reports),
    history: mergeHistories(reports),
    warnings: unique([...reports.flatMap(r => r.warnings), ...(note ? [note] : [])])
  }
}
