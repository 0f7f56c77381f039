import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { networkReason, pushTarget } from './access.js'
import type { BuildInfo, Breakdown } from './attribution.js'
import { baseImageBuildInfo } from './base-image.js'
import { removeImages, type Engine } from './buildx.js'
import { done, pruneWorktrees, STATE, whileRunning } from './cleanup.js'
import { inspectPackage } from './gobuild.js'
import { quietPhase } from './phase.js'
import { readPushed } from './registry.js'
import { execute, type Plan } from './runner.js'
import type { Settings } from './settings.js'
import { BINARY_DIR } from './stage.js'
import { buildTarget } from './target.js'
import { commitParents, resolveVersion } from './version.js'
import { warn } from './warnings.js'

/** Per platform, the base's figures; binary and unpacked only when the base was rebuilt. */
export interface BaseImage {
  platform: string
  wire: number
  unpacked?: number
  binary?: number
  /** The rebuilt base binary's bytes by module and package. */
  breakdown?: Breakdown
  /** A base image's binary's build info: module changes without a rebuild. */
  buildInfo?: BuildInfo
}

export interface BaselineReport {
  source: 'build' | 'image'
  /** The base commit, or the image reference. */
  ref: string
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
  const ref = settings.baseline.kind === 'build' ? settings.baseline.ref : undefined
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
  const top = await gitOut(settings.workingDirectory, 'rev-parse', '--show-toplevel')
  if (!top) throw new Error(`${settings.workingDirectory} is not in a git repository: the base cannot be built (use baseline-image, or compare: off)`)
  return top
}

/**
 * Runs `work` on a detached worktree of `commit` under the runner's temp folder, leaving the user's
 * checkout alone; the worktree is removed afterwards whatever happens.
 */
export async function inWorktree<T>(top: string, commit: string, folder: string, work: (dir: string) => Promise<T>): Promise<T> {
  await execute(git(top, 'worktree', 'add', '--detach', '--force', folder, commit), { quiet: true })
  const remove = async () => {
    await execute(git(top, 'worktree', 'remove', '--force', folder), { allowFailure: true, quiet: true })
  }
  // Interrupted, the run removes it too; killed outright, the next run or the post step does.
  whileRunning('worktree', remove)
  try {
    return await work(folder)
  } finally {
    done('worktree')
    await remove()
  }
}

/** The same settings, pointed at the base's copy of the module. */
export function settingsForWorktree(settings: Settings, top: string, worktree: string): Settings {
  return {
    ...settings,
    workingDirectory: path.join(worktree, path.relative(top, settings.workingDirectory)),
    // Never the change's tags: a loaded base must not replace the change's image.
    tags: [`${settings.image}:go-slim-image-base`],
    push: false,
    // The base has its own version and build: not the pushed tag's, not the pull request head's.
    github: { ...settings.github, ref: undefined, refName: undefined, pullRequest: undefined }
  }
}

/**
 * The cheap baseline: sizes of a published image, read from its registry manifest, and the module versions its
 * binary (`file`) was built with. Where the bytes moved needs the base's symbol table, which only a rebuild has.
 */
export async function imageBaseline(reference: string, settings: Settings, file: string): Promise<BaselineReport> {
  try {
    const images = await readPushed(reference, undefined, settings.platforms[0].id)
    const read = await Promise.all(images.map(i => baseImageBuildInfo(reference, i.platform, file)))
    const why = read.find(r => r.why)?.why
    return {
      source: 'image',
      ref: reference,
      images: images.map((i, n) => ({ platform: i.platform, wire: i.wire, buildInfo: read[n].info })),
      attributionNote: why
        ? `module changes and where the bytes moved need a rebuilt base (compare: build): ${why}`
        : 'where the bytes moved needs a rebuilt base (compare: build): a published binary has no symbol table'
    }
  } catch (error) {
    const why = networkReason(error, pushTarget(reference).host) ?? (error as Error).message.split('\n').slice(-1)[0]
    const message = `the baseline image ${reference} could not be read: ${why}`
    warn(message)
    return { source: 'image', ref: reference, images: [], error: message }
  }
}

/**
 * The base commit, rebuilt with the same settings in a worktree: only what the report compares (sizes and the
 * split by package; no load, no smoke test). A base that does not build is reported, not fatal.
 */
export async function buildBaseline(settings: Settings, engine: Engine, upx: string | undefined, workDir: string, started: Date): Promise<BaselineReport> {
  let commit = ''
  try {
    const top = await repositoryTop(settings)
    core.saveState(STATE.repository, top)
    await pruneWorktrees(top)
    commit = await resolveBaseCommit(settings, top)
    core.info(`base commit ${commit}`)
    return await inWorktree(top, commit, path.join(workDir, 'base-worktree'), async worktree => {
      const baseSettings = settingsForWorktree(settings, top, worktree)
      const moduleDir = path.relative(worktree, baseSettings.workingDirectory) || '.'
      if (!existsSync(path.join(baseSettings.workingDirectory, 'go.mod'))) {
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

/** The baseline the settings ask for, started now so that it runs beside the head's work. */
export function startBaseline(
  settings: Settings,
  engine: Engine,
  upx: string | undefined,
  workDir: string,
  started: Date
): Promise<BaselineReport | undefined> {
  const baseline = settings.baseline
  if (baseline.kind === 'image') return imageBaseline(baseline.reference, settings, `${BINARY_DIR}/${settings.binaryName}`)
  if (baseline.kind === 'build') return buildBaseline(settings, engine, upx, workDir, started)
  return Promise.resolve(undefined)
}
