import * as core from '@actions/core'
import type { Engine } from '../image/index.js'
import type { Target } from '../measure/index.js'
import { execute } from '../process/index.js'
import type { Settings } from '../settings/index.js'
import { cacheService, lookUp, store } from './cache.js'
import { fingerprintOf, imageShape } from './fingerprint.js'
import { recordKey, recordOf, type MeasurementRecord } from './record.js'
import { measureRoad, roadApplies } from './road.js'
import { type ZstdFigure } from './types.js'

type ZstdFigures = Map<string, ZstdFigure>
type ZstdMeasure = () => Promise<ZstdFigures | undefined>

/**
 * A commit is measured once: each run stores what it measured under the commit and a fingerprint of everything
 * else that shapes the image, and a comparison reads its base from there before it would rebuild it.
 */
export interface Memory {
  recall(commit: string): Promise<MeasurementRecord | undefined>
  /**
   * Stores beside the rest of the run; never rejects. `zstd` is asked only when the commit is stored (its zstd 19
   * figure is slow): resolves with it then, else with undefined.
   */
  remember(target: Target, commit: string | 'HEAD', zstd?: ZstdMeasure): Promise<ZstdFigures | undefined>
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
  const write = async (target: Target, which: string, zstd?: ZstdMeasure) => {
    const [print, commit] = await Promise.all([fingerprint(), which === 'HEAD' ? headCommit(settings) : which])
    if (!print || !commit) return undefined
    const figures = await zstd?.()
    await store(recordKey(print, commit), recordOf(target, commit, runUrl(), figures), settings.runnerTemp)
    return figures
  }
  return {
    async recall(commit) {
      const print = await fingerprint()
      return print ? lookUp(recordKey(print, commit), settings.runnerTemp, commit, platforms) : undefined
    },
    remember(target, commit, zstd) {
      const written = write(target, commit, zstd).catch((error: unknown) => {
        core.info(`baseline cache: nothing stored (${(error as Error).message})`)
        return undefined
      })
      writes.push(written)
      return written
    },
    settled: () => Promise.all(writes)
  }
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
    core.info(`baseline cache: not used, what shapes the image could not be read (${(error as Error).message})`)
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
    core.info(`baseline cache: the checkout differs from commit ${commit.slice(0, 12)}${named}, so this measurement is not stored as that commit's`)
    return undefined
  }
  return commit
}

/**
 * A pull request's head is its merge commit, which no later run compares with: only the other runs store theirs,
 * with the zstd road measured for the pull requests that will compare with it. Resolves with that figure.
 */
export function rememberHead(settings: Settings, memory: Memory | undefined, head: Target): Promise<ZstdFigures | undefined> | undefined {
  if (settings.github.pullRequest) return undefined
  return memory?.remember(head, 'HEAD', roadApplies(settings) ? () => measureRoad(head) : undefined)
}
