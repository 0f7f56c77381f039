import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { inspectPackage, resolveVersion } from '../build/index.js'
import { BINARY_DIR, removeImages, type Engine } from '../image/index.js'
import { buildTarget } from '../measure/index.js'
import { info, pruneWorktrees, quietPhase, STATE, warn } from '../process/index.js'
import { networkReason, readPushed } from '../publish/index.js'
import { pushTarget, type Settings } from '../settings/index.js'
import { baseImageBuildInfo, baseImageRevision } from './base-image.js'
import { inCheckout, repositoryTop, resolveBaseCommit, settingsForCheckout } from './checkout.js'
import type { HistoryPoint } from './history.js'
import type { Memory, Recalled } from './memory.js'
import { baseImagesOf, recordOf, type MeasurementRecord } from './record.js'
import { measureRoad, roadApplies } from './road.js'
import type { BaselineReport } from './types.js'

/**
 * The cheap baseline: sizes of a published image, read from its registry manifest. Where the bytes moved comes from
 * the measurement of the commit its revision label names, when an earlier run stored it; else only the module
 * versions its binary (`file`) was built with: the byte split needs the base's symbol table, which only a build has.
 */
export async function imageBaseline(reference: string, settings: Settings, file: string, memory?: Memory): Promise<BaselineReport> {
  try {
    const platform = settings.build.platforms[0].id
    const [images, { record, history }] = await Promise.all([readPushed(reference, undefined, platform), measuredRevision(reference, platform, memory)])
    if (record) {
      // The registry's sizes are the published image's; the split and the module list are its commit's.
      const measured = recorded(settings, record)
      const sized = images.map(i => ({ ...measured.images.find(m => m.platform === i.platform), platform: i.platform, wire: i.wire }))
      return { ...measured, source: 'image', ref: reference, revision: record.commit, images: sized, history }
    }
    const read = await Promise.all(images.map(i => baseImageBuildInfo(reference, i.platform, file)))
    const why = read.find(r => r.why)?.why
    return {
      source: 'image',
      ref: reference,
      images: images.map((i, n) => ({ platform: i.platform, wire: i.wire, buildInfo: read[n].info })),
      attributionNote: why
        ? `module changes and where the bytes moved need a rebuilt base (compare: build), or the measurement of its commit in the Actions cache: ${why}`
        : 'where the bytes moved needs a rebuilt base (compare: build), or the measurement of its commit in the Actions cache: a published binary has no symbol table'
    }
  } catch (error) {
    const why = networkReason(error, pushTarget(reference).host) ?? (error as Error).message.split('\n').slice(-1)[0]
    const message = `the baseline image ${reference} could not be read: ${why}`
    warn(message)
    return { source: 'image', ref: reference, images: [], error: message }
  }
}

/** The stored measurement of the commit the image's revision label names, if any. */
async function measuredRevision(reference: string, platform: string, memory: Memory | undefined): Promise<Recalled> {
  if (!memory) return {}
  const revision = await baseImageRevision(reference, platform).catch(() => undefined)
  return revision ? memory.recall(revision) : {}
}

export interface BaselineInput {
  settings: Settings
  engine: Engine
  upx: string | undefined
  workDir: string
  started: Date
  memory?: Memory
  /**
   * Settles when the head's shipped binaries are linked: the cache lookup (a Node process of its own, about 0.3 s of
   * CPU) waits for it, so that it takes no core from those links; the base is needed only after the head's image.
   */
  headLinked?: Promise<unknown>
}

const commitLink = (settings: Pick<Settings, 'github'>, commit: string) =>
  settings.github.repository ? `${settings.github.serverUrl}/${settings.github.repository}/commit/${commit}` : undefined

/**
 * The base commit's measurement: read from the Actions cache when an earlier run stored it, else rebuilt with the
 * same settings in a checkout of its own (and stored for the next run). A base that does not build is reported, not fatal.
 */
export async function commitBaseline(input: BaselineInput): Promise<BaselineReport> {
  const { settings, memory } = input
  let commit = ''
  try {
    const top = await repositoryTop(settings)
    commit = await resolveBaseCommit(settings, top)
    info(`base commit ${commit}`)
    await input.headLinked?.catch(() => undefined)
    const recalled = (await memory?.recall(commit)) ?? {}
    if (recalled.record) return { ...cachedBaseline(settings, recalled.record), history: recalled.history }
    return await rebuildBaseline(input, top, commit, recalled.history)
  } catch (error) {
    const [first, ...rest] = (error as Error).message.split('\n')
    const message = `the base${commit ? ` (${commit.slice(0, 12)})` : ''} could not be built: ${first}`
    warn(`${message}. The report has no comparison and max-increase is not judged.`)
    return { source: 'build', ref: commit, images: [], error: message, detail: rest.slice(0, 15).join('\n') || undefined }
  }
}

/** A stored measurement as the report's baseline: the commit (linked), who measured it, with what Go, its figures. */
function recorded(settings: Settings, record: MeasurementRecord): BaselineReport {
  const { commit, run, goVersion } = record
  return { source: 'cache', ref: commit, link: commitLink(settings, commit), run: ownRun(settings, run), goVersion, images: baseImagesOf(record) }
}

/** A stored run link, linked only when it is a run of this repository on this server: the cache is shared by every branch. */
export function ownRun(settings: Pick<Settings, 'github'>, run: string | undefined): string | undefined {
  const { serverUrl, repository } = settings.github
  if (!run || !repository) return undefined
  const prefix = `${serverUrl}/${repository}/actions/runs/`
  return run.startsWith(prefix) && /^\d{1,20}(?:\/attempts\/\d{1,5})?$/.test(run.slice(prefix.length)) ? run : undefined
}

function cachedBaseline(settings: Settings, record: MeasurementRecord): BaselineReport {
  info(`baseline cache: the base ${record.commit.slice(0, 12)} was measured by ${record.run ?? 'an earlier run'}; nothing of it is rebuilt`)
  return recorded(settings, record)
}

/** The base commit, rebuilt in a checkout of its own: only what the report compares (sizes and the split by package; no load, no smoke test). */
async function rebuildBaseline(
  { settings, engine, upx, workDir, started, memory }: BaselineInput,
  top: string,
  commit: string,
  branch: HistoryPoint[] | undefined
): Promise<BaselineReport> {
  // Earlier releases of this action built the base in a git worktree: one that a killed run left is removed here and by the post step.
  core.saveState(STATE.repository, top)
  await pruneWorktrees(top)
  return inCheckout(top, commit, path.join(workDir, 'base-checkout'), async checkout => {
    const baseSettings = settingsForCheckout(settings, top, checkout, path.basename(workDir))
    const moduleDir = path.relative(checkout, baseSettings.build.workingDirectory) || '.'
    if (!existsSync(path.join(baseSettings.build.workingDirectory, 'go.mod'))) {
      throw new Error(`the base commit has no go.mod in ${moduleDir}: the module is new in this change, there is nothing to compare with`)
    }
    const [facts, version] = await Promise.all([inspectPackage(baseSettings.build, { base: true }), resolveVersion(baseSettings)])
    const base = await buildTarget({
      settings: baseSettings,
      facts,
      version,
      engine,
      upx,
      workDir: path.join(workDir, 'base'),
      started,
      phase: quietPhase,
      base: true
    })
    // Loaded only to be measured (the docker-save route): the user's engine keeps no base image.
    if (base.inEngine) await removeImages(base.tags)
    // Measured once, here, for this pull request's report and for every later one that reads the base from the cache;
    // a run with no report to show it in leaves the measuring to its post step, with the store.
    const road = roadApplies(settings)
    const zstd = road && settings.github.pullRequest ? await measureRoad(base) : undefined
    const record = recordOf(base, commit, undefined, zstd)
    // The branch's history, as the lookup found it, continued by the base itself.
    const history = await memory?.continued(branch, record, version)
    // Stored by the post step: the next push to this pull request reads it instead of rebuilding.
    void memory?.remember(base, commit, zstd, road && !zstd ? base.layout : undefined, history)
    // Read as a stored one is, so a rebuilt base and a cached one are the same figures by construction.
    return { ...recorded(settings, record), source: 'build', goVersion: undefined, attributionMs: base.attributionMs, history }
  })
}

/** The baseline the settings ask for, started now so that it runs beside the head's work. */
export function startBaseline(input: BaselineInput): Promise<BaselineReport | undefined> {
  const { baseline } = input.settings.compare
  const { binaryName } = input.settings.build
  if (baseline.kind === 'image') return imageBaseline(baseline.reference, input.settings, `${BINARY_DIR}/${binaryName}`, input.memory)
  if (baseline.kind === 'build') return commitBaseline(input)
  return Promise.resolve(undefined)
}
