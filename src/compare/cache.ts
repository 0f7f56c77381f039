import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { execute, info, type Plan } from '../process/index.js'
import { keyCommit, type MeasurementRecord } from './record.js'

/**
 * The Actions cache as the comparison's memory: a measurement is stored under its key and read back by a later run.
 * Every fault costs a bounded wait and one info line, never the run: the base is then rebuilt, and a store that
 * fails is only said.
 */

/** The line the worker's outcome is on; everything else it prints is the toolkit's log. */
export const RESULT_MARK = 'go-slim-image-cache-result '

export interface WorkerResult {
  hit?: boolean
  /** The key restored: the first one asked for, or one of the others. */
  matched?: string
  saved?: boolean
  why?: string
}

// The whole child: start, requests, retries and the archive. A lookup stands between a run and its base build.
export const LOOKUP_MS = 10_000
export const STORE_MS = 20_000

const FILE = 'measurement.json'

/**
 * Where the toolkit's service is: its URL variables are set by the runner (and by act's cache server). The same
 * test as the toolkit's isFeatureAvailable, made here so that a run without a service never loads the toolkit.
 */
export function cacheService(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.ACTIONS_CACHE_SERVICE_V2 ? env.ACTIONS_RESULTS_URL : env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL
}

/** The folder an entry is written to and read back into: RUNNER_TEMP's, one operation at a time. */
export const entryFolder = (runnerTemp: string) => path.join(runnerTemp, 'go-slim-image-measurement')

/**
 * The worker, in the entry's folder as its workspace: the toolkit names what it archives relative to the workspace,
 * and the service keys an entry's version on the paths as given, so one relative name keeps both the same on every
 * runner, whatever its RUNNER_TEMP or workspace.
 */
export const workerPlan = (verb: 'restore' | 'save', key: string, folder: string, others: string[] = []): Plan => ({
  program: process.execPath,
  args: [process.argv[1], 'cache', verb, key, FILE, ...others],
  cwd: folder,
  env: { GITHUB_WORKSPACE: folder }
})

/** The worker's outcome from its output, with the toolkit's own warning when it swallowed one. */
export function readWorker(stdout: string): WorkerResult {
  const lines = stdout.split('\n')
  const result = lines.find(line => line.startsWith(RESULT_MARK))
  const warned = lines.find(line => /^::(warning|error)::/.test(line))?.replace(/^::\w+::/, '')
  let parsed: WorkerResult = { why: 'the cache worker gave no answer' }
  try {
    if (result) parsed = JSON.parse(result.slice(RESULT_MARK.length)) as WorkerResult
  } catch {
    // Reported as no answer.
  }
  return { ...parsed, why: parsed.why ?? warned }
}

// One entry folder, so one operation at a time.
let queue: Promise<unknown> = Promise.resolve()

function serially<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work)
  queue = next.catch(() => undefined)
  return next
}

async function runWorker(verb: 'restore' | 'save', key: string, folder: string, ms: number, others: string[] = []): Promise<WorkerResult> {
  const signal = AbortSignal.timeout(ms)
  const plan = workerPlan(verb, key, folder, others)
  // The one child that needs a job token: the runner's, for its cache service. It is added here, never to a plan.
  const token = process.env.ACTIONS_RUNTIME_TOKEN
  const withToken = token ? { ...plan, env: { ...plan.env, ACTIONS_RUNTIME_TOKEN: token } } : plan
  const outcome = await execute(withToken, { allowFailure: true, quiet: true, signal, keepBytes: 65536 })
  if (signal.aborted) return { why: `the cache service did not answer within ${ms / 1000} s` }
  if (outcome.code !== 0) return { why: outcome.stderr.trim().split('\n').pop() || `the cache worker exited with code ${outcome.code}` }
  return readWorker(outcome.stdout)
}

/**
 * An entry asked for: a commit's own key (`commit` set), or a prefix whose latest entry is read for the history it
 * carries (any commit, any platforms).
 */
export interface Entry {
  key: string
  commit?: string
}

export interface Found {
  record?: MeasurementRecord
  /** The key of the entry read. */
  key?: string
  why?: string
}

/**
 * The first of the entries the cache holds, in one request (the others are restore keys, each matched as a prefix:
 * a commit's key matches only its own entry), read and checked as the measurement of its commit; or why there is none.
 */
export function lookUpFirst(entries: Entry[], runnerTemp: string, platforms: string[]): Promise<Found> {
  return serially(async () => {
    const folder = entryFolder(runnerTemp)
    try {
      await rm(folder, { recursive: true, force: true })
      await mkdir(folder, { recursive: true })
      const [first, ...others] = entries
      const result = await runWorker(
        'restore',
        first.key,
        folder,
        LOOKUP_MS,
        others.map(e => e.key)
      )
      // A prefix matches whatever key any workflow of the repository saved under it: only one of this action's shape is read.
      const entry = entries.find(e => e.key === result.matched) ?? entries.find(e => !e.commit && result.matched?.startsWith(e.key))
      const commit = entry && (entry.commit ?? keyCommit(result.matched!))
      if (entry && !commit)
        return { why: "the latest entry under this image's prefix is not one of this action's (its key has another shape), so it is not read" }
      if (!entry || !commit) return { why: result.why ? `not read (${result.why})` : undefined }
      const text = await readFile(path.join(folder, FILE), 'utf8').catch(() => '')
      const { parseRecord } = await import('./record-schema.js')
      const { record, why } = parseRecord(text, commit, entry.commit ? platforms : [])
      return record ? { record, key: result.matched } : { why: `entry ${result.matched} is not used, ${why}` }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
}

/** Stores the record under `key`. Never rejects: a failure is one info line. */
export function store(key: string, record: MeasurementRecord, runnerTemp: string): Promise<void> {
  const what = `the measurement of ${record.commit.slice(0, 12)}`
  return serially(async () => {
    const folder = entryFolder(runnerTemp)
    try {
      await rm(folder, { recursive: true, force: true })
      await mkdir(folder, { recursive: true })
      await writeFile(path.join(folder, FILE), JSON.stringify(record))
      const result = await runWorker('save', key, folder, STORE_MS)
      info(result.saved ? `baseline cache: stored ${what} as ${key}` : `baseline cache: ${what} was not stored (${result.why ?? 'the service refused it'})`)
    } catch (error) {
      info(`baseline cache: ${what} was not stored (${(error as Error).message})`)
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
}
