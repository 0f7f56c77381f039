import { existsSync, readFileSync } from 'node:fs'
import type { Reading } from './reading.js'
import type { GitHubContext, PullRequest } from './types.js'

// The run's GitHub context: the event file the runner writes (the pull request, whether the repository is public).

export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target']

/**
 * The pull request of the triggering event, from the payload file the runner writes. On a pull request event the
 * file must hold one: a missing or emptied file is said as that, not as a run on another event.
 */
export function readPullRequest(eventPath: string | undefined, eventName?: string): PullRequest | undefined {
  const onPullRequest = eventName !== undefined && PULL_REQUEST_EVENTS.includes(eventName)
  const lost = (what: string) =>
    new Error(`this is a ${eventName} event, but ${what}: the runner writes that file; a step before this one must not move or rewrite it`)
  if (!eventPath || !existsSync(eventPath)) {
    if (onPullRequest) throw lost(eventPath ? `its event file GITHUB_EVENT_PATH (${eventPath}) does not exist` : 'GITHUB_EVENT_PATH is not set')
    return undefined
  }
  let event: { pull_request?: Record<string, any> }
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8')) as typeof event
  } catch (error) {
    throw new Error(
      `the event file GITHUB_EVENT_PATH (${eventPath}) is not valid JSON (${(error as Error).message}): the runner writes it; a step that rewrites it must keep it JSON`,
      {
        cause: error
      }
    )
  }
  const pr = event.pull_request
  if (!pr && onPullRequest) throw lost(`its event file GITHUB_EVENT_PATH (${eventPath}) holds no pull_request`)
  if (!pr) return undefined
  return { number: pr.number, baseRef: pr.base?.ref, baseSha: pr.base?.sha, headSha: pr.head?.sha }
}

/**
 * As docker/build-push-action does for a push: full provenance for a public repository, minimal for any other (a
 * private one, or one the event does not say), since mode=max records the build's inputs.
 */
export function defaultProvenance(eventPath: string | undefined): string {
  let isPrivate: unknown
  try {
    isPrivate =
      eventPath && existsSync(eventPath)
        ? (JSON.parse(readFileSync(eventPath, 'utf8')) as { repository?: { private?: unknown } }).repository?.private
        : undefined
  } catch {
    isPrivate = undefined
  }
  return isPrivate === false ? 'mode=max' : 'mode=min'
}

/**
 * A push event's `before`: the branch's head before the push, most often the commit the last run measured. Only a
 * commit id: all zeros (a new branch) or anything else is none. A malformed file is readPullRequest's to report.
 */
export function pushBefore(eventPath: string | undefined, eventName: string | undefined): string | undefined {
  if (eventName !== 'push' || !eventPath || !existsSync(eventPath)) return undefined
  try {
    const before = (JSON.parse(readFileSync(eventPath, 'utf8')) as { before?: unknown }).before
    return typeof before === 'string' && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(before) && !/^0+$/.test(before) ? before : undefined
  } catch {
    return undefined
  }
}

/** The run's GitHub context, with the pull request of the event file. */
export function readGitHub({ env }: Reading, pullRequest: PullRequest | undefined): GitHubContext {
  return {
    repository: env.GITHUB_REPOSITORY,
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    ref: env.GITHUB_REF,
    refName: env.GITHUB_REF_NAME,
    eventName: env.GITHUB_EVENT_NAME,
    pullRequest,
    before: pushBefore(env.GITHUB_EVENT_PATH, env.GITHUB_EVENT_NAME)
  }
}
