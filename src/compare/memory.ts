import * as core from '@actions/core'
import type { Engine } from '../image/index.js'
import type { Target } from '../measure/index.js'
import { execute, info } from '../process/index.js'
import type { Settings } from '../settings/index.js'
import { cacheService, lookUp, type Entry } from './cache.js'
import { deferStore } from './deferred.js'
import { fingerprintOf, imageShape } from './fingerprint.js'
import { recordKey, recordOf, type MeasurementRecord } from './record.js'
import { roadApplies } from './road.js'
import { type ZstdFigure } from './types.js'

type ZstdFigures = Map<string, ZstdFigure>

/**
 * A commit is measured once: each run stores what it measured under the commit and a fingerprint of everything
 * else that shapes the image, and a comparison reads its base from there before it would rebuild it.
 */
export interface Memory {
  recall(commit: string): Promise<MeasurementRecord | undefined>
  /**
   * Leaves the measurement for the post step to store, with `zstd` when known, or `layout` whose layers the post step
   * compresses for it. Never rejects.
   */
  remember(target: Target, commit: string, zstd?: ZstdFigures, layout?: string): Promise<void>
  /**
   * Leaves the checkout's commit for the post step to store unless it is stored already, with its zstd figures when
   * `road`: scaled there from an earlier commit's (looked up in the same request), or measured. Never rejects.
   */
  rememberHead(building: Promise<Target>, road: boolean, linked?: Promise<unknown>): Promise<void>
  /** Every store begun, finished (each is bounded): the run waits for them before it ends. */
  settled(): Promise<unknown>
}

async function gitLine(cwd: string, ...args: string[]): Promise<string | undefined> {
  const outcome = await execute({ program: 'git', args, cwd }, { allowFailure: true, quiet: true })
  return outcome.code === 0 ? outcome.stdout.trim() : undefined
}

export function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: id, GITHUB_RUN_ATTEMPT: attempt } = env
  if (!server || !repository || !id) return undefined
  return `${server}/${repository}/actions/runs/${id}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}`
}

/**
 * The memory, when baseline-cache is on and the runner has a cache service. Without a git repository there is no commit to key on, and nothing is remembered.
 */
export function openMemory(settings: Settings, engine: Engine, upx: string | undefined, workDir: string): Memory | undefined {
  if (!settings.compare.cache || !cacheService()) return undefined
  // Worked out when first needed (after the head's links, whose cores it would take): go env, the stage files, git.
  let fingerprinted: Promise<string | undefined> | undefined
  const fingerprint = () => (fingerprinted ??= fingerprintNow(settings, engine, upx, workDir))
  const platforms = settings.build.platforms.map(p => p.id)
  const writes: Array<Promise<unknown>> = []
  // Left for the post step, which stores it after the job's other steps (and measures what `layout` names first).
  const write = async (target: Target, commit: string, figures?: ZstdFigures, layout?: string, lookUp?: Entry[]) => {
    const print = await fingerprint()
    if (print) await deferStore(workDir, { key: recordKey(print, commit), record: recordOf(target, commit, runUrl(), figures), layout, lookUp })
  }
  const writeHead = async (building: Promise<Target>, road: boolean, linked?: Promise<unknown>) => {
    // Worked out once the head's links are done: its git and go env would take a core from them.
    await linked?.catch(() => undefined)
    const [print, commit, earlier] = await Promise.all([fingerprint(), headCommit(settings), road ? earlierCommits(settings) : []])
    // A build that failed is the run's to report; nothing is stored of it.
    const target = await building.catch(() => undefined)
    if (!print || !commit || !target) return
    // The post step looks the commit up with the ones before it, in one request: one stored already (a re-run, a tag
    // pushed on a commit the branch measured) is neither compressed nor stored again, and an earlier one's figure scales.
    const lookUp = road ? [commit, ...earlier.filter(c => c !== commit)].map(c => ({ key: recordKey(print, c), commit: c })) : undefined
    await write(target, commit, undefined, road ? target.layout : undefined, lookUp)
  }
  const bounded = <T>(written: Promise<T>) => {
    const safe = written.catch((error: unknown) => {
      info(`baseline cache: nothing left to store (${(error as Error).message})`)
      return undefined
    })
    writes.push(safe)
    return safe
  }
  return {
    async recall(commit) {
      const print = await fingerprint()
      return print ? lookUp(recordKey(print, commit), settings.runnerTemp, commit, platforms) : undefined
    },
    remember: async (target, commit, zstd, layout) => void (await bounded(write(target, commit, zstd, layout))),
    rememberHead: async (building, road, linked) => void (await bounded(writeHead(building, road, linked))),
    // Called once the baseline is in: both writes (the base's and the head's) are begun by then.
    settled: () => Promise.all(writes)
  }
}

/**
 * Earlier commits of the branch whose stored figures a push may scale from: the push's `before`, then the checkout's
 * own ancestors where its history has them (actions/checkout fetches one commit by default).
 */
async function earlierCommits(settings: Pick<Settings, 'build' | 'github'>): Promise<string[]> {
  const listed = await gitLine(settings.build.workingDirectory, 'rev-list', '--max-count=3', '--skip=1', 'HEAD')
  const ancestors = (listed ?? '').split('\n').filter(line => /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(line))
  return [...new Set([...(settings.github.before ? [settings.github.before] : []), ...ancestors])]
}

async function fingerprintNow(settings: Settings, engine: Engine, upx: string | undefined, workDir: string): Promise<string | undefined> {
  try {
    const top = await gitLine(settings.build.workingDirectory, 'rev-parse', '--show-toplevel')
    if (!top) return undefined
    const shape = await imageShape(settings, engine, upx, top, workDir)
    // With step debug logging on, a miss can be explained: two runs' shapes side by side show what differs.
    core.debug(`baseline cache: what shapes the image ${JSON.stringify(shape)}`)
    return fingerprintOf(shape)
  } catch (error) {
    info(`baseline cache: not used, what shapes the image could not be read (${(error as Error).message})`)
    return undefined
  }
}

/**
 * The checkout's commit, when the repository is that commit as it stands: a checkout that a step before changed is
 * measured, but not stored as the commit's. The whole repository, not only the module: Go stamps vcs.modified into
 * the binary from it, so one stray file elsewhere changes the binary's bytes.
 */
async function headCommit(settings: Pick<Settings, 'build'>): Promise<string | undefined> {
  const cwd = settings.build.workingDirectory
  const [commit, changed] = await Promise.all([
    gitLine(cwd, 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}'),
    gitLine(cwd, 'status', '--porcelain', '--untracked-files=all')
  ])
  if (commit && changed !== '') {
    const files = (changed ?? '').split('\n').filter(Boolean)
    const named = files.length > 0 ? ` (${files.length} file${files.length === 1 ? '' : 's'}, like ${files[0].slice(3)})` : ''
    info(`baseline cache: the checkout differs from commit ${commit.slice(0, 12)}${named}, so this measurement is not stored as that commit's`)
    return undefined
  }
  return commit
}

/**
 * A pull request's head is its merge commit, which no later run compares with: only the other runs store theirs,
 * with the zstd road for the pull requests that will compare with it, worked out by the post step.
 */
export function rememberHead(settings: Settings, memory: Memory | undefined, building: Promise<Target>, linked?: Promise<unknown>): Promise<void> | undefined {
  if (settings.github.pullRequest || !memory) return undefined
  return memory.rememberHead(building, roadApplies(settings), linked)
}
