import { goBuildPlan, type Injection, type VersionInfo } from '../build/index.js'
import { attributions, type BaselineReport, type HistoryPoint } from '../compare/index.js'
import { type Engine, type Packed, stageLayers, stageOf } from '../image/index.js'
import type { Target } from '../measure/index.js'
import { describe, toolTime, warningsSaid } from '../process/index.js'
import type { Published } from '../publish/index.js'
import type { SmokeResult, Startup } from '../run/index.js'
import { type Budget, clip, type Compression, type Settings, withBuild } from '../settings/index.js'
import { human } from './format.js'
import type { GateOutcome } from './gate.js'
import { REPORT_FORMAT, type BinaryFigures, type Report, type SizeHistory } from './model.js'

// Characters of each smoke-test stream the report keeps.
const SMOKE_KEPT = 4000

export interface RunFacts {
  settings: Settings
  engine: Engine
  version: Report['version']
  head: Target
  smoke?: SmokeResult
  startup: Map<string, Startup>
  baseline?: BaselineReport
  gate: GateOutcome & { limits: string }
  published?: Published
  failures: string[]
  timings: Record<string, number>
  roadNotTaken?: Report['roadNotTaken']
  /** A push's branch history, its own commit last (a comparison's comes with its baseline). */
  history?: HistoryPoint[]
}

/** Everything the run found, as the report (markdown, summary, comment, report-json) tells it. */
export function assembleReport(run: RunFacts): Report {
  const { settings, head, baseline, published } = run
  return {
    format: REPORT_FORMAT,
    image: settings.publish.image,
    tags: head.tags,
    digest: reportedDigest(run),
    version: run.version,
    goVersion: head.packed[0].binary.goVersion,
    goBuild: describeGoBuild(settings, run.version, head.injections),
    injections: head.injections.map(({ role, variable, injected, overridden }) => ({ role, variable, injected, ...(overridden ? { overridden } : {}) })),
    upx: settings.pack.upx,
    finalStage: settings.stage.finalStage.kind === 'image' ? settings.stage.finalStage.base : settings.stage.finalStage.kind,
    binaries: head.packed.map(p => figures(p, run.startup.get(p.binary.platform.id))),
    measurement: head.measurement,
    attestations: head.attestations,
    sbom: { off: undefined, 'build-info': 'build info' as const, buildkit: 'buildkit' as const }[settings.publish.sbom.kind],
    layerNames: stageLayers(stageOf(settings)),
    timings: run.timings,
    toolMs: toolTime(),
    // What the program printed, cut to its head and tail: the report-json output has a size limit too.
    smoke: run.smoke && { ...run.smoke, stdout: clip(run.smoke.stdout, SMOKE_KEPT), stderr: clip(run.smoke.stderr, SMOKE_KEPT) },
    published,
    baseline,
    attribution: attributions(
      head.packed.map(p => ({ platform: p.binary.platform.id, breakdown: p.binary.breakdown })),
      baseline?.images,
      baseline?.attributionNote
    ),
    attributionMs: head.attributionMs + (baseline?.attributionMs ?? 0),
    gate: settings.budget.maxSize !== undefined || settings.budget.maxIncrease ? run.gate : undefined,
    failures: run.failures,
    compression: describeCompression(settings.stage.compression),
    roadNotTaken: run.roadNotTaken,
    history: sizeHistory(run),
    warnings: warningsSaid()
  }
}

/**
 * The history the run has: a push's own (its commit the last point); else its baseline's, the run's image after it
 * (a pull request's, or a run compared with a commit or image of another branch).
 */
function sizeHistory({ settings, head, baseline, history }: RunFacts): SizeHistory | undefined {
  const { pullRequest, ref, refName } = settings.github
  const maxSize = settings.budget.maxSize
  // A tag's push continues the history its scope finds (the default branch's): it is named after no branch.
  if (history && history.length > 0) return { branch: ref?.startsWith('refs/heads/') ? refName : undefined, points: history, maxSize }
  if (!baseline?.history || baseline.history.length === 0) return undefined
  const images = head.measurement.images.map(image => ({
    platform: image.platform,
    wire: image.wire,
    binary: head.packed.find(p => p.binary.platform.id === image.platform)?.size ?? 0
  }))
  return { branch: pullRequest?.baseRef, points: baseline.history, head: { number: pullRequest?.number, images }, maxSize }
}

/**
 * A digest only where something can be pulled by it: the pushed one; or, unpushed, the OCI image's own. A push that
 * was asked for and did not happen leaves none, and the classic store's image has no manifest until a push.
 */
function reportedDigest({ settings, engine, head, published }: RunFacts): string | undefined {
  if (published) return published.digest
  return engine.route === 'oci' && !settings.publish.push ? head.metadata['containerimage.digest'] : undefined
}

function describeGoBuild(settings: Settings, version: VersionInfo, injections: Injection[]): string {
  const variable = (role: string, fallback: string) => injections.find(i => i.role === role)?.variable ?? fallback
  const used = withBuild(settings, {
    versionVariable: variable('version', settings.build.versionVariable),
    buildVariable: variable('build', settings.build.buildVariable)
  })
  const plan = goBuildPlan(used.build, version, settings.build.platforms[0], settings.build.binaryName)
  return `${Object.entries(plan.env ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')} ${describe(plan)}`
}

export function describeCompression(compression: Compression): string {
  if (compression.kind === 'gzip' && compression.level === undefined) return 'gzip (BuildKit)'
  return `${compression.kind} ${compression.level}, compressed by the action`
}

export function describeBudget(budget: Budget): string {
  const parts: string[] = []
  if (budget.maxSize !== undefined) parts.push(`max-size ${human(budget.maxSize)}`)
  if (budget.maxIncrease) parts.push(`max-increase ${'percent' in budget.maxIncrease ? `${budget.maxIncrease.percent}%` : human(budget.maxIncrease.bytes)}`)
  return parts.join(', ') || 'none'
}

function figures(p: Packed, startup?: Startup): BinaryFigures {
  return {
    platform: p.binary.platform.id,
    unstripped: p.binary.unstrippedSize,
    stripped: p.binary.size,
    final: p.size,
    packed: p.packed,
    upxDeclined: p.declined,
    packMs: p.packMs,
    gzipUnpacked: p.gzipUnpacked,
    gzipPacked: p.gzipPacked,
    zstdUnpacked: p.zstdUnpacked,
    startupUnpackedMs: startup?.unpacked,
    startupPackedMs: startup?.packed,
    startupRuns: startup?.runs
  }
}
