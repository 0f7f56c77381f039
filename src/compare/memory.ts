import * as core from '@actions/core'
import type { Engine } from '../image/index.js'
import type { Target } from '../measure/index.js'
import { execute, info } from '../process/index.js'
import type { Settings } from '../settings/index.js'
import type { VersionInfo } from '../build/index.js'
import { cacheService, lookUpFirst, type Entry, type Found } from './cache.js'
import { deferStore } from './deferred.js'
import { fingerprintOf, imageShape, lineageOf } from './fingerprint.js'
import { extended, pointOf, type HistoryPoint } from './history.js'
import { lineagePrefix, recordKey, recordOf, shapePrefix, type MeasurementRecord } from './record.js'
import { derivedFigures, ROAD_DRIFT, roadApplies } from './road.js'
import { type ZstdFigure } from './types.js'

type ZstdFigures = Map<string, ZstdFigure>

/** When a commit was made and what it was called: the facts a history point has besides its sizes. */
export type PointFacts = Pick<VersionInfo, 'version' | 'commitTime'>

/** A commit's stored measurement, if any, and its branch's history as the same lookup found it. */
export interface Recalled {
  record?: MeasurementRecord
  history?: HistoryPoint[]
}

/**
 * A commit is measured once: each run stores what it measured under the commit and a fingerprint of everything
 * else that shapes the image, and a comparison reads its base from there before it would rebuild it. Each stored
 * record carries its branch's history, so that lookup reads the history too.
 */
export interface Memory {
  /** The commit's record, with the history it carries; or, when it was never stored, the latest history of its lineage. */
  recall(commit: string): Promise<Recalled>
  /** `history` continued by the record's own point, as this run's settings shape it. */
  continued(history: HistoryPoint[] | undefined, record: MeasurementRecord, facts: PointFacts): Promise<HistoryPoint[] | undefined>
  /**
   * Leaves the measurement for the post step to store, with `zstd` when known, or `layout` whose layers the post step
   * compresses for it, and the history up to it. Never rejects.
   */
  remember(target: Target, commit: string, zstd?: ZstdFigures, layout?: string, history?: HistoryPoint[]): Promise<void>
  /**
   * Looks the checkout's commit up with the ones before it and the latest of its lineage, in one request, and leaves
   * it for the post step to store unless it is stored already, with the branch's history continued, and its zstd
   * figures when `road`: scaled from an earlier commit's, or left for the post step to measure. The history, or
   * undefined. Never rejects.
   */
  rememberHead(building: Promise<Target>, facts: PointFacts, road: boolean, linked?: Promise<unknown>): Promise<HistoryPoint[] | undefined>
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

const factsOf = ({ version, commitTime }: PointFacts) => ({
  version,
  date: commitTime === undefined ? undefined : new Date(commitTime * 1000).toISOString().replace('.000Z', 'Z')
})

/**
 * The memory, when baseline-cache is on and the runner has a cache service. Without a git repository there is no commit to key on, and nothing is remembered.
 */
export function openMemory(settings: Settings, engine: Engine, upx: string | undefined, workDir: string): Memory | undefined {
  if (!settings.compare.cache || !cacheService()) return undefined
  // Worked out when first needed (after the head's links, whose cores it would take): go env, the stage files, git.
  let fingerprinted: Promise<Keys | undefined> | undefined
  const keys = () => (fingerprinted ??= keysNow(settings, engine, upx, workDir))
  const platforms = settings.build.platforms.map(p => p.id)
  const writes: Array<Promise<unknown>> = []
  const bounded = <T>(written: Promise<T>) => {
    const safe = written.catch((error: unknown) => {
      info(`baseline cache: nothing left to store (${(error as Error).message})`)
      return undefined
    })
    writes.push(safe)
    return safe
  }
  const write = async (target: Target, commit: string, figures?: ZstdFigures, layout?: string, history?: HistoryPoint[]) => {
    const known = await keys()
    if (known) await deferStore(workDir, { key: known.key(commit), record: { ...recordOf(target, commit, runUrl(), figures), history }, layout })
  }
  return {
    async recall(commit) {
      const known = await keys()
      if (!known) return {}
      const found = await lookUpFirst([{ key: known.key(commit), commit }, ...known.latest], settings.runnerTemp, platforms)
      return recalledOf(found, known.key(commit), known.shape)
    },
    continued: async (history, record, facts) => {
      const known = await keys()
      return known && extended(history, pointOf(record, known.shape, factsOf(facts)))
    },
    remember: async (target, commit, zstd, layout, history) => void (await bounded(write(target, commit, zstd, layout, history))),
    rememberHead: (building, facts, road, linked) => bounded(headHistory({ settings, platforms, keys, write, building, facts, road, linked })),
    // Called once the baseline is in: both writes (the base's and the head's) are begun by then.
    settled: () => Promise.all(writes)
  }
}

/** What a lookup found, as the commit's record (when it is that commit's) and the history it carries. */
function recalledOf(found: Found, key: string, shape: string): Recalled {
  const record = found.record
  if (!record) {
    info(`baseline cache: ${found.why ?? `no entry ${key}`}; the base is rebuilt`)
    return {}
  }
  const history = record.history ?? (found.key?.includes(`-${shape}-`) ? [pointOf(record, shape, {})] : undefined)
  // The commit's own key: another shape's entry of the same commit (a sibling job's) is never read as its base.
  if (found.key === key) return { record, history }
  info(`baseline cache: no entry ${key}; the base is rebuilt (the branch's history comes from the entry of ${record.commit.slice(0, 12)})`)
  return { history }
}

interface HeadInput {
  settings: Settings
  platforms: string[]
  keys: () => Promise<Keys | undefined>
  write: (target: Target, commit: string, figures?: ZstdFigures, layout?: string, history?: HistoryPoint[]) => Promise<void>
  building: Promise<Target>
  facts: PointFacts
  road: boolean
  linked?: Promise<unknown>
}

/**
 * The push's part: one lookup of its commit (stored already: a re-run, a tag pushed on a commit the branch measured),
 * the commits before it (whose zstd figure scales) and the latest of its shape and lineage (the history it continues).
 */
async function headHistory({ settings, platforms, keys, write, building, facts, road, linked }: HeadInput): Promise<HistoryPoint[] | undefined> {
  // Worked out once the head's links are done: its git and go env would take a core from them.
  await linked?.catch(() => undefined)
  const [known, commit, earlier] = await Promise.all([keys(), headCommit(settings), earlierCommits(settings)])
  if (!known || !commit) return undefined
  const lookUp = [commit, ...earlier.filter(c => c !== commit)].map(c => ({ key: known.key(c), commit: c }))
  const [found, target] = await Promise.all([lookUpFirst([...lookUp, ...known.latest], settings.runnerTemp, platforms), building.catch(() => undefined)])
  // A build that failed is the run's to report; nothing is stored of it.
  if (!target) return undefined
  const record = found.record
  if (record && found.key === known.key(commit)) {
    info(`baseline cache: ${commit.slice(0, 12)} is stored already${record.run ? ` (by ${record.run})` : ''}: nothing is measured or stored again`)
    return record.history ?? [pointOf(record, known.shape, factsOf(facts))]
  }
  const history = extended(record?.history, pointOf(recordOf(target, commit, undefined), known.shape, factsOf(facts)))
  const derived = road && record && found.key?.startsWith(known.latest[0].key) ? derivedFigures(target.measurement.images, record) : undefined
  if (derived) {
    info(
      `baseline cache: the zstd figure of ${commit.slice(0, 12)} is scaled from ${record!.commit.slice(0, 12)}'s, whose layers are within ${ROAD_DRIFT * 100}% of these`
    )
  }
  await write(target, commit, derived, road && !derived ? target.layout : undefined, history)
  return history
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

/** The keys of this image: its own commits', and the prefixes that find the latest entry of its shape, then of its lineage. */
interface Keys {
  shape: string
  key(commit: string): string
  latest: Entry[]
}

async function keysNow(settings: Settings, engine: Engine, upx: string | undefined, workDir: string): Promise<Keys | undefined> {
  try {
    const top = await gitLine(settings.build.workingDirectory, 'rev-parse', '--show-toplevel')
    if (!top) return undefined
    const shape = await imageShape(settings, engine, upx, top, workDir)
    // With step debug logging on, a miss can be explained: two runs' shapes side by side show what differs.
    core.debug(`baseline cache: what shapes the image ${JSON.stringify(shape)}`)
    const print = fingerprintOf(shape)
    const line = lineageOf(settings, top)
    return { shape: print, key: commit => recordKey(line, print, commit), latest: [{ key: shapePrefix(line, print) }, { key: lineagePrefix(line) }] }
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
 * with the branch's history and the zstd road for the pull requests that will compare with it. The history, or undefined.
 */
export function rememberHead(
  settings: Settings,
  memory: Memory | undefined,
  building: Promise<Target>,
  facts: PointFacts,
  linked?: Promise<unknown>
): Promise<HistoryPoint[] | undefined> {
  if (settings.github.pullRequest || !memory) return Promise.resolve(undefined)
  return memory.rememberHead(building, facts, roadApplies(settings), linked)
}
