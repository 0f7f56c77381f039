import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { copyFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { networkReason, pushTarget } from './access.js'
import type { BuildInfo, Breakdown } from './attribution.js'
import { baseImageBuildInfo, baseImageRevision } from './base-image.js'
import { removeImages, type Engine } from './buildx.js'
import { pruneWorktrees, STATE } from './cleanup.js'
import { inspectPackage } from './golist.js'
import type { Memory } from './memory.js'
import { quietPhase } from './phase.js'
import { readPushed } from './registry.js'
import { execute, type Plan } from './runner.js'
import type { Settings } from './settings.js'
import { BINARY_DIR } from './stage.js'
import { buildTarget } from './target.js'
import { commitParents, resolveVersion } from './version.js'
import { baseImagesOf, recordOf, type MeasurementRecord } from './record.js'
import { measureRoad, roadApplies, type ZstdFigure } from './road.js'
import { warn } from './warnings.js'

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
}

const git = (cwd: string, ...args: string[]): Plan => ({ program: 'git', args, cwd })

async function gitOut(cwd: string, ...args: string[]): Promise<string | undefined> {
  const outcome = await execute(git(cwd, ...args), { allowFailure: true, quiet: true })
  return outcome.code === 0 ? outcome.stdout.trim() : undefined
}

/**
 * Fetches commits into the object store and changes nothing else of the user's clone: no ref, no FETCH_HEAD, no tag,
 * no remote-tracking branch (`--refmap=`), and a depth only for a clone that was shallow already.
 */
async function fetchCommits(cwd: string, options: string[], ...revs: string[]): Promise<void> {
  const args = ['fetch', '--no-tags', '--no-write-fetch-head', '--refmap=', '--quiet', ...options, '--end-of-options', 'origin', ...revs]
  await execute(git(cwd, ...args), { allowFailure: true })
}

async function haveCommit(cwd: string, rev: string): Promise<string | undefined> {
  return gitOut(cwd, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`)
}

/** The commit, fetched from origin when the clone lacks it: a shallow clone gets it alone, a full one whole. */
async function ensureCommit(cwd: string, sha: string, shallow: boolean): Promise<string | undefined> {
  if (!(await haveCommit(cwd, sha))) await fetchCommits(cwd, shallow ? ['--depth=1'] : [], sha)
  return haveCommit(cwd, sha)
}

// How far a shallow clone is deepened, step by step, until HEAD and the base meet.
const DEEPEN_STEPS = [50, 500, 5000]

/** merge-base of HEAD and `other`; a clone that is already shallow is deepened only as far as the two histories meet. */
async function mergeBase(cwd: string, other: string, shallow: boolean): Promise<string> {
  const head = await haveCommit(cwd, 'HEAD')
  for (const deepen of [0, ...DEEPEN_STEPS]) {
    if (deepen > 0) {
      if (!shallow || !head) break
      await fetchCommits(cwd, [`--deepen=${deepen}`], head, other)
    }
    const base = await gitOut(cwd, 'merge-base', '--end-of-options', 'HEAD', other)
    if (base) return base
  }
  throw new Error(
    `HEAD and ${other} share no history${shallow ? ` in the ${DEEPEN_STEPS.at(-1)} commits fetched` : ''}: cannot find the commit the change is measured against` +
      (shallow ? ' (check out with actions/checkout fetch-depth: 0)' : '')
  )
}

/** The commit a branch or tag of origin names, asked of origin without fetching anything. */
async function remoteCommit(cwd: string, ref: string): Promise<string | undefined> {
  const listed = (await gitOut(cwd, 'ls-remote', '--end-of-options', 'origin', ref)) ?? ''
  const refs = new Map(listed.split('\n').map(line => [line.split('\t')[1], line.split('\t')[0]] as const))
  for (const name of [`refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`, ref]) {
    if (refs.has(name)) return refs.get(name)
  }
  return undefined
}

/** base-ref as a commit: found in the clone, else asked of origin and fetched by its id. */
async function resolveRef(top: string, ref: string, shallow: boolean): Promise<string> {
  const local = (await haveCommit(top, ref)) ?? (await haveCommit(top, `refs/remotes/origin/${ref}`))
  if (local) return local
  const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(ref) ? ref : await remoteCommit(top, ref)
  const fetched = sha && (await ensureCommit(top, sha, shallow))
  if (!fetched) throw new Error(`base-ref "${ref}" is neither a commit nor a branch or tag of origin`)
  return fetched
}

/**
 * The commit a pull request is measured against: the first parent of GitHub's merge commit when that is
 * checked out (the default), else the merge base of HEAD and the base branch. Fetches what a shallow clone lacks,
 * and nothing more.
 */
export async function resolveBaseCommit(settings: Settings, top: string): Promise<string> {
  const pr = settings.github.pullRequest
  const ref = settings.compare.baseline.kind === 'build' ? settings.compare.baseline.ref : undefined
  const shallow = (await gitOut(top, 'rev-parse', '--is-shallow-repository')) === 'true'
  if (!ref && pr) {
    // The raw commit names its parents even in a depth-1 clone, where rev-list shows none.
    const parents = commitParents((await gitOut(top, 'cat-file', 'commit', 'HEAD')) ?? '')
    const mergeParent = parents.length === 2 && parents[1] === pr.headSha ? parents[0] : undefined
    const wanted = mergeParent ?? pr.baseSha
    if (!(await ensureCommit(top, wanted, shallow))) throw new Error(`the base commit ${wanted} could not be fetched from origin`)
    return mergeParent ?? mergeBase(top, pr.baseSha, shallow)
  }
  if (!ref) throw new Error('no base to compare with: set base-ref, or run on a pull_request event')
  return mergeBase(top, await resolveRef(top, ref, shallow), shallow)
}

export async function repositoryTop(settings: Settings): Promise<string> {
  const top = await gitOut(settings.build.workingDirectory, 'rev-parse', '--show-toplevel')
  if (!top) throw new Error(`${settings.build.workingDirectory} is not in a git repository: the base cannot be built (use baseline-image, or compare: off)`)
  return top
}

/**
 * Runs `work` on a checkout of `commit` of its own, in `folder` under the run's folder: a new repository that borrows
 * the user's objects (git's alternates) and, in a shallow clone, its list of shallow commits. Nothing is written into
 * the user's repository. It has a .git folder of its own because Go stamps a binary with its commit (vcs.revision,
 * vcs.time) only there: a `git worktree` has a .git file, which Go does not recognise, and its base binary would lack
 * the stamp that the same commit's own checkout gets, so it would measure smaller than that commit built anywhere.
 */
export async function inCheckout<T>(top: string, commit: string, folder: string, work: (dir: string) => Promise<T>): Promise<T> {
  const gitPath = (name: string) => gitOut(top, 'rev-parse', '--path-format=absolute', '--git-path', name)
  const [objects, shallow] = await Promise.all([gitPath('objects'), gitPath('shallow')])
  if (!objects) throw new Error(`the git objects of ${top} could not be found`)
  try {
    await execute(git(path.dirname(folder), 'init', '--quiet', folder), { quiet: true })
    await writeFile(path.join(folder, '.git/objects/info/alternates'), `${objects}\n`)
    if (shallow && existsSync(shallow)) await copyFile(shallow, path.join(folder, '.git/shallow'))
    // As actions/checkout leaves LFS files by default: their pointers (this repository has no LFS remote to fetch from).
    await execute({ ...git(folder, 'checkout', '--quiet', '--detach', commit), env: { GIT_LFS_SKIP_SMUDGE: '1' } }, { quiet: true })
    return await work(folder)
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

/** The same settings, pointed at the base's copy of the module. */
export function settingsForCheckout(settings: Settings, top: string, checkout: string): Settings {
  return {
    ...settings,
    build: { ...settings.build, workingDirectory: path.join(checkout, path.relative(top, settings.build.workingDirectory)) },
    // Never the change's tags: a loaded base must not replace the change's image.
    publish: { ...settings.publish, tags: [`${settings.publish.image}:go-slim-image-base`], push: false },
    // The base has its own version and build: not the pushed tag's, not the pull request head's.
    github: { ...settings.github, ref: undefined, refName: undefined, pullRequest: undefined }
  }
}

/**
 * The cheap baseline: sizes of a published image, read from its registry manifest. Where the bytes moved comes from
 * the measurement of the commit its revision label names, when an earlier run stored it; else only the module
 * versions its binary (`file`) was built with: the byte split needs the base's symbol table, which only a build has.
 */
export async function imageBaseline(reference: string, settings: Settings, file: string, memory?: Memory): Promise<BaselineReport> {
  try {
    const platform = settings.build.platforms[0].id
    const [images, record] = await Promise.all([readPushed(reference, undefined, platform), measuredRevision(reference, platform, memory)])
    if (record) {
      // The registry's sizes are the published image's; the split and the module list are its commit's.
      const measured = recorded(settings, record)
      const sized = images.map(i => ({ ...measured.images.find(m => m.platform === i.platform), platform: i.platform, wire: i.wire }))
      return { ...measured, source: 'image', ref: reference, revision: record.commit, images: sized }
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
async function measuredRevision(reference: string, platform: string, memory: Memory | undefined): Promise<MeasurementRecord | undefined> {
  if (!memory) return undefined
  const revision = await baseImageRevision(reference, platform).catch(() => undefined)
  return revision ? memory.recall(revision) : undefined
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

const commitLink = (settings: Settings, commit: string) =>
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
    core.info(`base commit ${commit}`)
    await input.headLinked?.catch(() => undefined)
    const cached = await memory?.recall(commit)
    if (cached) return cachedBaseline(settings, cached)
    return await rebuildBaseline(input, top, commit)
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
  return { source: 'cache', ref: commit, link: commitLink(settings, commit), run, goVersion, images: baseImagesOf(record) }
}

function cachedBaseline(settings: Settings, record: MeasurementRecord): BaselineReport {
  core.info(`baseline cache: the base ${record.commit.slice(0, 12)} was measured by ${record.run ?? 'an earlier run'}; nothing of it is rebuilt`)
  return recorded(settings, record)
}

/** The base commit, rebuilt in a checkout of its own: only what the report compares (sizes and the split by package; no load, no smoke test). */
async function rebuildBaseline({ settings, engine, upx, workDir, started, memory }: BaselineInput, top: string, commit: string): Promise<BaselineReport> {
  // Earlier releases of this action built the base in a git worktree: one that a killed run left is removed here and by the post step.
  core.saveState(STATE.repository, top)
  await pruneWorktrees(top)
  return inCheckout(top, commit, path.join(workDir, 'base-checkout'), async checkout => {
    const baseSettings = settingsForCheckout(settings, top, checkout)
    const moduleDir = path.relative(checkout, baseSettings.build.workingDirectory) || '.'
    if (!existsSync(path.join(baseSettings.build.workingDirectory, 'go.mod'))) {
      throw new Error(`the base commit has no go.mod in ${moduleDir}: the module is new in this change, there is nothing to compare with`)
    }
    const [facts, version] = await Promise.all([inspectPackage(baseSettings, { base: true }), resolveVersion(baseSettings)])
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
    // Measured once, here, for this pull request's report and for every later one that reads the base from the cache.
    const zstd = roadApplies(settings) && (settings.github.pullRequest || memory) ? await measureRoad(base) : undefined
    // Stored beside the rest of the run: the next push to this pull request reads it instead of rebuilding.
    void memory?.remember(base, commit, async () => zstd)
    // Read as a stored one is, so a rebuilt base and a cached one are the same figures by construction.
    return { ...recorded(settings, recordOf(base, commit, undefined, zstd)), source: 'build', goVersion: undefined, attributionMs: base.attributionMs }
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
