import * as core from '@actions/core'
import { heldToPrinted, replacedDefault } from './build/index.js'
import { headRoad, openMemory, rememberHead, startBaseline, type BaselineReport } from './compare/index.js'
import { removeImages } from './image/index.js'
import { buildTarget, type Target } from './measure/index.js'
import { preflight, warnDroppedCgo } from './preflight/index.js'
import { info, killChildren, timedPhases, warn } from './process/index.js'
import { loadAsAsked, release } from './publish/index.js'
import { assembleReport, describeBudget, fitMarkdown, human, judge, LIMITS, renderMarkdown, setOutputs, writeReportFile } from './report/index.js'
import { smokeAndStartup } from './run/index.js'
import { readSettings, type Settings } from './settings/index.js'

export async function run(): Promise<void> {
  try {
    await pipeline()
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
    // A check that failed in preflight leaves the others running (the listing compiles): the job ends now, not after them.
    killChildren()
  }
}

/** The run, stage by stage. From the smoke test on, a failure is recorded, not thrown: the report is always written. */
async function pipeline(): Promise<void> {
  const started = new Date()
  const timings: Record<string, number> = {}
  const phase = timedPhases(timings)
  const { settings, engine, goFacts, version, upx, linking, workDir } = await preflight(readSettings(), phase)

  const memory = openMemory(settings, engine, upx, workDir)
  // The base builds beside the head: the Go build cache is shared, and the head's image work leaves cores idle.
  const baseline = startBaseline({ settings, engine, upx, workDir, started, memory, headLinked: linking })
  const building = buildTarget({ settings, facts: goFacts, version, engine, upx, workDir, started, phase, linking })
  // A push looks its commit up with the branch's latest (the history it continues) beside the image build, and leaves
  // what it measured for its post step, which measures its zstd figure when no earlier one scales, and stores it.
  const history = rememberHead(settings, memory, building, version, linking)
  const head = await building.catch(async (error: unknown) => {
    // The lookup, if still under way, is ended with the run's other tools.
    await baseline.catch(() => undefined)
    throw error
  })
  noteTarget(settings, goFacts.importPath, head)
  const replaced = replacedDefault(
    settings,
    version,
    head.injections.find(i => i.role === 'version')
  )
  // Listed now, on the cores the head's links and image build have left; its warning waits for the report.
  const cgo = goFacts.cgo()
  const road = headRoad(settings, head, baseline)

  const failures: string[] = []
  const loaded = await phase('load', () => loadAsAsked(settings, engine, head, workDir)).catch((error: unknown) => {
    failures.push(`the image could not be loaded into the engine: ${(error as Error).message}`)
    return false
  })
  const { smoke, startup } = await smokeAndStartup(settings, head, loaded, workDir, phase)
  if (smoke?.error) failures.push(smoke.error)
  const checked = { ...head, injections: smoke ? heldToPrinted(head.injections, `${smoke.stdout}\n${smoke.stderr}`, version.version) : head.injections }
  // With load: false, what the engine got only for the smoke test (or for measuring) leaves again.
  if (!settings.publish.load && (head.inEngine || smoke)) {
    await removeImages(head.tags)
    info(`load is false: ${head.tags.join(', ')} removed from the engine after ${smoke ? 'the smoke test' : 'measuring'}`)
  }

  const base = settings.compare.baseline.kind === 'off' ? undefined : await phase('baseline', () => baseline)
  const gate = judgeSizes(settings, head, base)
  const published = await release(settings.publish, head, failures, gate.result === 'fail', phase)
  const zstdRoad = road && (await phase('road not taken', () => road))
  // Awaited last, so the listing runs beside the smoke test, the base and the push.
  await warnDroppedCgo(cgo)
  const report = assembleReport({
    settings,
    engine,
    version: { ...version, replaced: await replaced },
    head: checked,
    smoke,
    startup,
    baseline: base,
    gate,
    published,
    failures,
    timings,
    roadNotTaken: zstdRoad,
    history: await history
  })
  const markdown = renderMarkdown(report)

  // Report first, everywhere it goes; failures and the gate are judged last so a failed comment never hides them.
  setOutputs({ report, markdown: fitMarkdown(markdown, LIMITS.output), head: checked, published, gate: gate.result, platform: settings.build.platforms[0].id })
  writeReportFile(settings.runnerTemp, report)
  await core.summary.addRaw(fitMarkdown(markdown, LIMITS.summary)).write()
  info(markdown)
  if (settings.comment.enabled && settings.github.pullRequest && settings.github.repository) {
    // Loaded only here: the GitHub client is most of the bundle, and most runs write no comment.
    const { commentOnPullRequest } = await import('./report/comment.js')
    await phase('comment', () => commentOnPullRequest(settings, fitMarkdown(markdown, LIMITS.comment)))
  }

  await memory?.settled()
  const verdict = [...(gate.result === 'fail' ? [`Size budget broken:\n${gate.failures.join('\n')}`] : []), ...failures]
  if (verdict.length > 0) core.setFailed(verdict.join('\n'))
}

/** What the build learned that the user should act on: a scratch image that cannot verify TLS, where -X went. */
function noteTarget(settings: Pick<Settings, 'stage'>, importPath: string, head: Target): void {
  if (settings.stage.finalStage.kind === 'scratch' && head.needsSystemRoots) {
    warn(
      `${importPath} makes TLS connections and verifies them against the system's CA certificates, but final-stage scratch has none, ` +
        'so they will fail with "x509: certificate signed by unknown authority". Use final-stage: scratch-nonroot (adds the runner\'s CA bundle), ' +
        'or import _ "golang.org/x/crypto/x509roots/fallback" in your main package to embed the roots.'
    )
  }
  for (const { note } of head.injections) {
    if (note?.level === 'warning') warn(note.text)
    else if (note) info(note.text)
  }
}

function judgeSizes(settings: Pick<Settings, 'budget'>, head: Target, baseline: BaselineReport | undefined) {
  const sizes = head.measurement.images.map(image => ({
    platform: image.platform,
    wire: image.wire,
    baseWire: baseline?.images.find(b => b.platform === image.platform)?.wire
  }))
  return { ...judge(sizes, settings.budget, human), limits: describeBudget(settings.budget) }
}
