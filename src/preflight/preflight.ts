import * as core from '@actions/core'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import {
  inspectPackage,
  linkBinaries,
  requireGo,
  resolveVersion,
  versionOriginText,
  type CgoFacts,
  type Linking,
  type PackageFacts,
  type VersionInfo
} from '../build/index.js'
import { inspectEngine, requireUpx, type Engine } from '../image/index.js'
import { done, info, killChildren, type Phase, settleLater, STATE, warn, whileRunning } from '../process/index.js'
import { pushProblems } from '../publish/index.js'
import { pushTargets, SAFE_VALUE, SAFE_VALUE_RULE, withMainPackage, type Settings } from '../settings/index.js'

export interface Prepared {
  /** The run's own folder under the runner's temp: made when the links start. */
  workDir: string
  /** The settings with the main package resolved: the binary is named after it, as go build names it. */
  settings: Settings
  engine: Engine
  goFacts: PackageFacts
  version: VersionInfo
  upx?: string
  /** The head's links, started as soon as the package and the version were known. */
  linking: Promise<Linking>
}

/** Inputs judged against the engine: a named builder, a final-stage image, several platforms (the store must hold them). */
const inputNeedsEngine = (settings: Pick<Settings, 'build' | 'engine' | 'stage'>) =>
  settings.engine.builder !== '' || settings.stage.finalStage.kind === 'image' || settings.build.platforms.length > 1

async function checkPushAccess(settings: Pick<Settings, 'publish'>): Promise<void> {
  const unwritable = settings.publish.push ? await pushProblems(pushTargets(settings.publish)) : []
  if (unwritable.length > 0) {
    throw new Error(`push is true, but not every repository can be pushed to, so nothing was built or pushed:\n${unwritable.join('\n')}`)
  }
}

/**
 * Every tool, the package and every input are checked before anything is built, so a broken setup fails in seconds.
 * The engine's own check (is there a daemon, and buildx) runs beside the links when no input depends on it: a
 * failure there ends them (the run kills its tools) and is the one error reported.
 */
export async function preflight(given: Settings, phase: Phase): Promise<Prepared> {
  const prepared = await phase('preflight', async () => {
    await requireGo()
    const upx = given.pack.upx === 'off' ? undefined : await requireUpx(given.pack.upxInstall)
    // The listing first: the links wait for it, while the engine and the registries are only checked beside them.
    const listing = inspectPackage(given.build)
    const [engine, access] = [settleLater(inspectEngine(given)), settleLater(checkPushAccess(given))]
    const [packageFacts, version] = await Promise.all([listing, resolveVersion(given)])
    if (!SAFE_VALUE.test(version.version)) throw new Error(`the version "${version.version}" found by git ${SAFE_VALUE_RULE}; set the version input`)
    await access
    if (inputNeedsEngine(given)) await engine
    const settings = withMainPackage(given, packageFacts)
    const workDir = await makeWorkDir(settings)
    // Awaited by the build: a link that fails while the engine is checked is reported there, after the check.
    const linking = settleLater(linkBinaries(settings.build, version, workDir, packageFacts))
    const checked = await engine.catch(async (error: unknown) => {
      await abandon(linking, workDir)
      throw error
    })
    const origin = versionOriginText(version.origin)
    info(
      `version ${version.version}${origin ? ` (${origin})` : ''}, build ${version.build}; docker ${checked.serverVersion}, buildx ${checked.buildxVersion}, driver ${checked.driver}, measured by ${checked.route}`
    )
    return { settings, engine: checked, goFacts: packageFacts, version, upx, linking, workDir }
  })
  if (prepared.goFacts.packageNote) info(prepared.goFacts.packageNote)
  return prepared
}

async function makeWorkDir(settings: Pick<Settings, 'runnerTemp'>): Promise<string> {
  const workDir = await mkdtemp(path.join(settings.runnerTemp, 'go-slim-image-'))
  core.saveState(STATE.workDir, workDir)
  whileRunning('workDir', () => rm(workDir, { recursive: true, force: true }))
  // go build's own work folders go in ours, so a killed build leaves none in the runner's TMPDIR.
  if (!process.env.GOTMPDIR) {
    process.env.GOTMPDIR = path.join(workDir, 'go-tmp')
    await mkdir(process.env.GOTMPDIR)
  }
  return workDir
}

/** A failed check leaves nothing behind: the links are stopped, and their folder goes. */
async function abandon(linking: Promise<Linking>, workDir: string): Promise<void> {
  killChildren()
  await linking.catch(() => undefined)
  await rm(workDir, { recursive: true, force: true })
  done('workDir')
}

/** cgo files the static build leaves out, from the cgo listing (`PackageFacts.cgo`). */
export async function warnDroppedCgo(cgo: Promise<CgoFacts>): Promise<void> {
  const { dropped } = await cgo
  if (dropped.length === 0) return
  warn(
    `${dropped.join(', ')} ${dropped.length === 1 ? 'has' : 'have'} cgo files that the static build (CGO_ENABLED=0) leaves out: ` +
      'the binary links their fallback without cgo, which may be a stub that fails at run time (go-sqlite3\'s says "requires cgo to work"). ' +
      'Use a pure-Go replacement (for example modernc.org/sqlite for github.com/mattn/go-sqlite3), or make sure the code path works without cgo.'
  )
}
