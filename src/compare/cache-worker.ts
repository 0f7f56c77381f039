import * as cache from '@actions/cache'
import { RESULT_MARK, type WorkerResult } from './cache.js'

// Each request's own limit; the parent bounds the whole child and ends it, sockets and all, when that passes.
const REQUEST_MS = 5000

/**
 * The child process that talks to the Actions cache (`node dist/index.js cache restore|save KEY FILE`, in the entry's folder): the toolkit
 * has no overall timeout and a hung service would keep the step's own process alive, so it runs apart and is ended.
 */
export async function cacheWorker([verb, key, file, ...others]: string[]): Promise<void> {
  const result = await attempt(verb, key, file, others).catch((error: unknown) => ({ why: (error as Error).message }))
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(result)}\n`)
}

/** `others` are restore keys, in order: whole keys here, so each matches its own entry only. */
async function attempt(verb: string, key: string, file: string, others: string[]): Promise<WorkerResult> {
  if (verb === 'restore') {
    const matched = await cache.restoreCache([file], key, others, { timeoutInMs: REQUEST_MS, segmentTimeoutInMs: REQUEST_MS })
    return { hit: matched === key, matched }
  }
  if (verb === 'save') return { saved: (await cache.saveCache([file], key)) !== -1 }
  throw new Error(`unknown cache verb "${verb}"`)
}
