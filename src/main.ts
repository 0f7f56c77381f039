import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { pushProblems } from './access.js'
import { attributions } from './attribution.js'
import { pruneWorktrees, STATE, whileRunning } from './cleanup.js'
import { imageBaseline, inWorktree, repositoryTop, resolveBaseCommit, settingsForWorktree, type BaselineReport } from './baseline.js'
import { buildImage, imageTags, inspectEngine, removeImages, type BuildPlanInput, type BuildxMetadata, type Engine, type Exporter } from './buildx.js'
import { READ_ONLY_HELP, upsertComment, type CommentOutcome } from './comment.js'
import { judge, type Budget } from './gate.js'
import { buildBinaries, goBuildPlan, inspectPackage, requireGo, type PackageFacts } from './gobuild.js'
import { engineArchive, measureFromEngine, measureOciLayout, type Measurement } from './measure.js'
import type { Injection } from './symbols.js'
import { hostPlatform } from './platform.js'
import { human, renderMarkdown, type BinaryFigures, type Report } from './report.js'
import { describe, toolTime } from './runner.js'
import { readSettings, SAFE_VALUE, SAFE_VALUE_RULE, withMainPackage, type Settings } from './settings.js'
import { smokeTest } from './smoke.js'
import { publish, type Published } from './publish.js'
import { setOutputs } from './outputs.js'
import { BINARY_DIR, contextBinaryPath, pinTimes, sealContext, stageLayers, writeStageFiles } from './stage.js'
import { medianStartupMs, packBinaries, requireUpx, type Packed } from './upx.js'
import { dockerArchiveLayers, ociLayers, verifyImageBinaries } from './verify.js'
import { resolveVersion, type VersionInfo } from './version.js'
import { warn, warningsSaid } from './warnings.js'

type Phase = <T>(name: string, work: () => Promise<T>) => Promise<T>

export async function run(): Promise<void> {
  try {
    await pipeline()
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}

async function pipeline(): Promise<void> {
  const started = new Date()
  const given = readSettings()
  const timings: Record<string, number> = {}
  const phase: Phase = async (name, work) => {
    const begun = performance.now()
    try {
      return await core.group(name, work)
    } finally {
      timings[name] = performance.now() - begun
    }
  }

  // Every tool and the package are checked before anything is built, so a broken setup fails in seconds.
  const { engine, goFacts, version, upx } = await phase('preflight', async () => {
    await requireGo()
    const upx = given.upx === 'off' ? undefined : await requireUpx(given.upxInstall)
    const [engine, goFacts, version, unwritable] = await Promise.all([
      inspectEngine(given),
      inspectPackage(given),
      resolveVersion(given),
      given.push ? pushProblems(given.tags) : []
    ])
    if (unwritable.length > 0) {
      throw new Error(`push is true, but not every repository can be pushed to, so nothing was built or pushed:\n${unwritable.join('\n')}`)
    }
    core.info(
      `version ${version.version}, build ${version.build}; ${goFacts.goVersion}; docker ${engine.serverVersion}, buildx ${engine.buildxVersion}, driver ${engine.driver}, measured by ${engine.route}`
    )
    if (!SAFE_VALUE.test(version.version)) throw new Error(`the version "${version.version}" found by git ${SAFE_VALUE_RULE}; set the version input`)
    return { engine, goFacts, version, upx }
  })
  // The main package is known now: the binary is named after it, as go build names it.
  const settings = withMainPackage(given, goFacts)
  if (goFacts.packageNote) core.info(goFacts.packageNote)
  if (goFacts.cgoDropped.length > 0) {
    warn(
      `${goFacts.cgoDropped.join(', ')} ${goFacts.cgoDropped.length === 1 ? 'has' : 'have'} cgo files that the static build (CGO_ENABLED=0) leaves out: ` +
        'the binary links their fallback without cgo, which may be a stub that fails at run time (go-sqlite3\'s says "requires cgo to work"). ' +
        'Use a pure-Go replacement (for example modernc.org/sqlite for github.com/mattn/go-sqlite3), or make sure the code path works without cgo.'
    )
  }

  // The classic store holds one platform only; the docker-save route needs the image in the engine.
  const canLoadAll = settings.platforms.length === 1 || engine.containerdStore
  const load = canLoadAll && (settings.load || engine.route === 'docker-save')
  if (settings.load && !canLoadAll)
    warn("load skipped: the engine's image store cannot hold a multi-platform image (enable the containerd image store to load it)")

  const workDir = await mkdtemp(path.join(settings.runnerTemp, 'go-slim-image-'))
  core.saveState(STATE.workDir, workDir)
  whileRunning('workDir', () => rm(workDir, { recursive: true, force: true }))
  const head = await buildTarget({ settings, facts: goFacts, version, engine, upx, workDir, load, started, phase })
  if (settings.finalStage.kind === 'scratch' && head.needsSystemRoots) {
    warn(
      `${goFacts.importPath} makes TLS connections and verifies them against the system's CA certificates, but final-stage scratch has none, ` +
        'so they will fail with "x509: certificate signed by unknown authority". Use final-stage: scratch-nonroot (adds the runner\'s CA bundle), ' +
        'or import _ "golang.org/x/crypto/x509roots/fallback" in your main package to embed the roots.'
    )
  }
  for (const { note } of head.injections) {
    if (note?.level === 'warning') warn(note.text)
    else if (note) core.info(note.text)
  }

  // From here on a failure is recorded, not thrown: the report and the outputs are written before the step fails.
  const failures: string[] = []
  const { smoke, startup } = await smokeAndStartup(settings, head, load, phase)
  if (smoke?.error) failures.push(smoke.error)

  // The classic store is measured through `docker save` and a smoke test needs the image in the engine: with
  // load: false, what was loaded for them leaves again.
  if (!settings.load && (load || smoke)) {
    await removeImages(head.tags)
    core.info(`load is false: ${head.tags.join(', ')} removed from the engine after measuring${smoke ? ' and the smoke test' : ''}`)
  }

  let baseline: BaselineReport | undefined
  if (settings.baseline.kind === 'image') {
    const reference = settings.baseline.reference
    baseline = await phase('baseline', () => imageBaseline(reference, settings, `${BINARY_DIR}/${settings.binaryName}`))
  } else if (settings.baseline.kind === 'build') {
    baseline = await phase('baseline', () => buildBaseline(settings, engine, upx, workDir, started))
  }

  const sizes = head.measurement.images.map(image => ({
    platform: image.platform,
    wire: image.wire,
    baseWire: baseline?.images.find(b => b.platform === image.platform)?.wire
  }))
  const gate = { ...judge(sizes, settings.budget, human), limits: describeBudget(settings.budget) }

  // Nothing is published that the checks reject: not after a failed smoke test, not over budget.
  let published: Published | undefined
  if (settings.push && (failures.length > 0 || gate.result === 'fail')) {
    const why = failures.length > 0 ? 'the checks above failed' : 'the size budget is broken'
    failures.push(`nothing was pushed (${why}): ${head.tags.join(', ')} would have been published`)
  } else if (settings.push) {
    published = await phase('push', () => publish(head.request({ kind: 'push' }), head.tags, head.measurement)).catch(error => {
      failures.push((error as Error).message)
      return undefined
    })
  }

  const report: Report = {
    image: settings.image,
    tags: head.tags,
    // Loaded into the classic store, buildx names the image ID as its digest: no manifest exists until a push.
    // A push that was asked for and did not happen leaves no digest: nothing under it can be pulled.
    digest: published?.digest ?? (engine.route === 'oci' && !settings.push ? head.metadata['containerimage.digest'] : undefined),
    version,
    goVersion: goFacts.goVersion,
    goBuild: describeGoBuild(settings, version, head.injections),
    injections: head.injections.map(({ role, variable, injected }) => ({ role, variable, injected })),
    upx: settings.upx,
    finalStage: describeFinalStage(settings),
    binaries: head.packed.map(p => figures(p, startup.get(p.binary.platform.id))),
    measurement: head.measurement,
    layerNames: stageLayers(settings),
    timings,
    toolMs: toolTime(),
    smoke,
    published,
    baseline,
    attribution: attributions(
      head.packed.map(p => ({ platform: p.binary.platform.id, breakdown: p.binary.breakdown })),
      baseline?.images,
      baseline?.attributionNote
    ),
    attributionMs: head.attributionMs + (baseline?.attributionMs ?? 0),
    gate: settings.budget.maxSize !== undefined || settings.budget.maxIncrease ? gate : undefined,
    failures,
    warnings: warningsSaid()
  }
  const markdown = renderMarkdown(report)

  // Report first, everywhere it goes; failures and the gate are judged last so a failed comment never hides them.
  setOutputs({ report, markdown, head, published, gate: gate.result, platform: settings.platforms[0].id })
  await core.summary.addRaw(markdown).write()
  core.info(markdown)

  const pr = settings.github.pullRequest
  if (settings.comment && pr && settings.github.repository) {
    const outcome = await phase('comment', () => commentOn(settings, pr.number, markdown))
    if (outcome.status === 'read-only') core.warning(READ_ONLY_HELP)
    else if (outcome.status === 'failed') core.warning(`The pull request comment could not be written: ${outcome.message}. The report is in the job summary.`)
    else core.setOutput('comment-id', outcome.id)
  }

  const verdict = [...(gate.result === 'fail' ? [`Size budget broken:\n${gate.failures.join('\n')}`] : []), ...failures]
  if (verdict.length > 0) core.setFailed(verdict.join('\n'))
}

/**
 * Runs the image once on the runner's own platform (loading that platform alone when the build could not be
 * loaded), then times the start-up of the plain and the packed binary when UPX packed it.
 */
async function smokeAndStartup(settings: Settings, head: Target, load: boolean, phase: Phase) {
  const startup = new Map<string, { unpacked?: number; packed?: number }>()
  const args = settings.smokeTest
  if (!args) return { startup }
  const host = hostPlatform()
  const hostBuilt = settings.platforms.find(p => p.id === host?.id)
  if (!hostBuilt) {
    warn(`smoke test skipped: no platform in ${settings.platforms.map(p => p.id).join(', ')} runs on this ${host?.id ?? process.arch} runner without emulation`)
    return { startup }
  }
  const smoke = await phase('smoke test', async () => {
    if (!load) await buildImage(head.request({ kind: 'load' }, [hostBuilt.id]))
    return smokeTest(head.tags[0], hostBuilt.id, args, settings.smokeTimeoutSeconds)
  })
  const hostPacked = head.packed.find(p => p.binary.platform.id === hostBuilt.id && p.packed)
  if (hostPacked && !smoke.error) {
    await phase('startup', async () => {
      startup.set(hostBuilt.id, { unpacked: medianStartupMs(hostPacked.binary.path, args), packed: medianStartupMs(hostPacked.path, args) })
    })
  }
  return { smoke, startup }
}

interface TargetInput {
  settings: Settings
  facts: PackageFacts
  version: VersionInfo
  engine: Engine
  upx: string | undefined
  workDir: string
  load: boolean
  started: Date
  phase: Phase
}

interface Target {
  packed: Packed[]
  injections: Injection[]
  needsSystemRoots: boolean
  attributionMs: number
  measurement: Measurement
  metadata: BuildxMetadata
  tags: string[]
  request: (exporter: Exporter, platforms?: string[]) => BuildPlanInput
}

/** Static binaries → UPX → final stage → image, measured: the same steps for the change and its base. */
async function buildTarget({ settings, facts, version, engine, upx, workDir, load, started, phase }: TargetInput): Promise<Target> {
  const staging = path.join(workDir, 'context')
  const { binaries, injections, needsSystemRoots, attributionMs } = await phase('go build', () => buildBinaries(settings, version, workDir, facts))
  const staged = await phase('upx', () => packBinaries(binaries, settings.upx, upx, b => contextBinaryPath(staging, b.platform, settings.binaryName)))
  const dockerfileName = path.basename(await writeStageFiles(settings, staging))
  if (version.commitTime !== undefined) await pinTimes(staging, version.commitTime)
  const contextDir = await sealContext(staging)
  const packed = staged.map(p => ({ ...p, path: path.join(contextDir, path.relative(staging, p.path)) }))
  const dockerfile = path.join(contextDir, dockerfileName)

  const tags = imageTags(settings, version)
  const oci = path.join(workDir, 'oci')
  const request = (exporter: Exporter, platforms?: string[]): BuildPlanInput => ({
    settings,
    version,
    contextDir,
    dockerfile,
    metadataFile: path.join(workDir, `metadata-${exporter.kind}.json`),
    exporter,
    now: started,
    platforms
  })
  // The OCI build is the one measured (and its digest reported); loading it again is a cached rebuild.
  const built = await phase('buildx build', async () => {
    const measured = engine.route === 'oci' ? await buildImage(request({ kind: 'oci', dest: oci })) : undefined
    const loaded = load ? await buildImage(request({ kind: 'load' })) : undefined
    return measured ?? loaded!
  })
  const measurement = await phase('measure', async () => {
    const measured = engine.route === 'oci' ? await measureOciLayout(oci) : await measureFromEngine(tags[0], settings.platforms[0].id, workDir)
    const images = measured.images.map(image => ({
      platform: image.platform,
      layers: () => (engine.route === 'oci' ? ociLayers(oci, image.manifestDigest) : dockerArchiveLayers(engineArchive(workDir)))
    }))
    const built = packed.map(p => ({ platform: p.binary.platform.id, path: p.path }))
    await verifyImageBinaries(images, built, `${BINARY_DIR}/${settings.binaryName}`)
    return measured
  })
  return { packed, injections, needsSystemRoots, attributionMs, measurement, metadata: built.metadata, tags, request }
}

/** The base commit, rebuilt with the same settings in a worktree. A base that does not build is reported, not fatal. */
async function buildBaseline(settings: Settings, engine: Engine, upx: string | undefined, workDir: string, started: Date): Promise<BaselineReport> {
  let commit = ''
  try {
    const top = await repositoryTop(settings)
    core.saveState(STATE.repository, top)
    await pruneWorktrees(top)
    commit = await resolveBaseCommit(settings, top)
    core.info(`base commit ${commit}`)
    return await inWorktree(top, commit, path.join(workDir, 'base-worktree'), async worktree => {
      const baseSettings = settingsForWorktree(settings, top, worktree)
      const baseVersion = await resolveVersion(baseSettings)
      const baseWork = path.join(workDir, 'base')
      const quietPhase: Phase = (_name, work) => work()
      // The base must build to the same image it would have had; a broken base only loses the comparison.
      const moduleDir = path.relative(worktree, baseSettings.workingDirectory) || '.'
      if (!existsSync(path.join(baseSettings.workingDirectory, 'go.mod'))) {
        throw new Error(`the base commit has no go.mod in ${moduleDir}: the module is new in this change, there is nothing to compare with`)
      }
      const baseFacts = await inspectPackage(baseSettings)
      const load = engine.route === 'docker-save'
      const base = await buildTarget({
        settings: baseSettings,
        facts: baseFacts,
        version: baseVersion,
        engine,
        upx,
        workDir: baseWork,
        load,
        started,
        phase: quietPhase
      }).finally(
        // Loaded only to be measured: the user's engine keeps no base image.
        () => (load ? removeImages(baseSettings.tags) : undefined)
      )
      return {
        source: 'build' as const,
        ref: commit,
        images: base.measurement.images.map(image => {
          const packed = base.packed.find(p => p.binary.platform.id === image.platform)
          return { platform: image.platform, wire: image.wire, unpacked: image.unpacked, binary: packed?.size, breakdown: packed?.binary.breakdown }
        }),
        attributionMs: base.attributionMs
      }
    })
  } catch (error) {
    const [first, ...rest] = (error as Error).message.split('\n')
    const message = `the base${commit ? ` (${commit.slice(0, 12)})` : ''} could not be built: ${first}`
    warn(`${message}. The report has no comparison and max-increase is not judged.`)
    return { source: 'build', ref: commit, images: [], error: message, detail: rest.slice(0, 15).join('\n') || undefined }
  }
}

async function commentOn(settings: Settings, issueNumber: number, markdown: string): Promise<CommentOutcome> {
  const [owner, repo] = settings.github.repository!.split('/')
  if (!settings.githubToken) return { status: 'failed', message: 'github-token is empty' }
  return upsertComment({ token: settings.githubToken, owner, repo, issueNumber, key: settings.commentKey }, markdown, settings.commentTimeoutSeconds)
}

function describeGoBuild(settings: Settings, version: VersionInfo, injections: Injection[]): string {
  const variable = (role: string, fallback: string) => injections.find(i => i.role === role)?.variable ?? fallback
  const used = { ...settings, versionVariable: variable('version', settings.versionVariable), buildVariable: variable('build', settings.buildVariable) }
  const plan = goBuildPlan(used, version, settings.platforms[0], settings.binaryName)
  return `${Object.entries(plan.env ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')} ${describe(plan)}`
}

function describeBudget(budget: Budget): string {
  const parts: string[] = []
  if (budget.maxSize !== undefined) parts.push(`max-size ${human(budget.maxSize)}`)
  if (budget.maxIncrease) parts.push(`max-increase ${'percent' in budget.maxIncrease ? `${budget.maxIncrease.percent}%` : human(budget.maxIncrease.bytes)}`)
  return parts.join(', ') || 'none'
}

function describeFinalStage(settings: Settings): string {
  const stage = settings.finalStage
  return stage.kind === 'image' ? stage.base : stage.kind
}

function figures(p: Packed, startup?: { unpacked?: number; packed?: number }): BinaryFigures {
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
    startupUnpackedMs: startup?.unpacked,
    startupPackedMs: startup?.packed
  }
}
