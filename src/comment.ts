import * as core from '@actions/core'
import * as github from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { stableText } from './report.js'

export interface CommentTarget {
  token: string
  owner: string
  repo: string
  issueNumber: number
  key: string
}

export type CommentOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; id: number; url?: string }
  /** The token may not write (a fork's pull request): the report is in the job summary instead. */
  | { status: 'read-only'; message: string }
  | { status: 'failed'; message: string }

/** Hidden in the rendered comment; how the action finds its own comment again. */
export const marker = (key: string) => `<!-- go-slim-image:${key} -->`

// Comments by the default GITHUB_TOKEN carry this login; /user tells the login of any other token.
const ACTIONS_BOT = 'github-actions[bot]'

type Octokit = ReturnType<typeof github.getOctokit>

function client(token: string): Octokit {
  // Retries for 5xx, waits for primary and secondary rate limits (twice each, then gives up).
  return github.getOctokit(
    token,
    {
      throttle: {
        onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          core.info(`GitHub rate limit on ${options.method} ${options.url}: retrying in ${retryAfter}s`)
          return retryCount < 2
        },
        onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          core.info(`GitHub secondary rate limit on ${options.method} ${options.url}: retrying in ${retryAfter}s`)
          return retryCount < 2
        }
      },
      retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 451] }
    },
    retry,
    throttling
  )
}

async function identity(octokit: Octokit): Promise<string> {
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login
  } catch {
    return ACTIONS_BOT
  }
}

const statusOf = (error: unknown) => (error as { status?: number }).status

/**
 * Creates or updates the one comment of this key, written by this token's identity. When two runs race
 * and both create one, each then keeps the oldest and deletes the rest, so one comment remains.
 */
export async function upsertComment(target: CommentTarget, text: string): Promise<CommentOutcome> {
  const octokit = client(target.token)
  const tag = marker(target.key)
  const body = `${tag}\n${text}`
  const where = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber }
  try {
    const login = await identity(octokit)
    const ours = async () =>
      (await octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 }))
        .filter(c => c.user?.login === login && c.body?.includes(tag))
        .sort((a, b) => a.id - b.id)

    let mine = await ours()
    let status: 'created' | 'updated' | 'unchanged'
    if (mine.length === 0) {
      await octokit.rest.issues.createComment({ ...where, body })
      status = 'created'
      mine = await ours()
    } else {
      status = stableText(mine[0].body ?? '') === stableText(body) ? 'unchanged' : 'updated'
    }
    const [keep, ...extra] = mine
    for (const comment of extra) {
      // The other run may have deleted it first.
      await octokit.rest.issues.deleteComment({ owner: target.owner, repo: target.repo, comment_id: comment.id }).catch(error => {
        if (statusOf(error) !== 404) throw error
      })
    }
    if (status !== 'unchanged' && keep.body !== body) {
      await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: keep.id, body })
      if (status === 'created') status = 'updated'
    }
    return { status, id: keep.id, url: keep.html_url }
  } catch (error) {
    const message = (error as Error).message
    if (statusOf(error) === 403 && !/rate limit/i.test(message)) return { status: 'read-only', message }
    return { status: 'failed', message }
  }
}

export const READ_ONLY_HELP =
  'The token cannot comment on this pull request (pull requests from forks get a read-only GITHUB_TOKEN). ' +
  'The report is in the job summary and the report output. To comment anyway, upload the report as an artifact ' +
  'and post it from a workflow_run workflow, which runs with the base repository\'s token: see "Pull requests from forks" in the README.'
