import * as core from '@actions/core'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { entryFolder, storeDeferred } from './compare/index.js'
import { info, pruneWorktrees, STATE } from './process/index.js'
import { removeLeftovers } from './run/index.js'

/**
 * The post step (post-if: always()): stores the measurements the main step left (as actions/cache saves in its post
 * step, after the job's other steps), then removes what a run killed outright could not, its containers (named by the
 * run's folder), any worktree of this action, the run's temporary folder and a cache entry's folder.
 */
export async function post(): Promise<void> {
  const workDir = core.getState(STATE.workDir)
  const repository = core.getState(STATE.repository)
  if (workDir) await storeDeferred(workDir, path.dirname(workDir))
  if (workDir) {
    const containers = await removeLeftovers(path.basename(workDir))
    if (containers.length > 0) info(`removed ${containers.length} container(s) left by the run: ${containers.join(', ')}`)
  }
  if (repository) await pruneWorktrees(repository)
  if (workDir) {
    await rm(workDir, { recursive: true, force: true })
    // The run's folder is made in RUNNER_TEMP, where the cache entries are written too.
    await rm(entryFolder(path.dirname(workDir)), { recursive: true, force: true })
  }
  info(`removed ${workDir || 'nothing (the main step made no temporary folder)'}`)
}
