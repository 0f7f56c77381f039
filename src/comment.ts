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

/** REST writes a bot as `name[bot]`, GraphQL may write it as `name`: compare without the suffix. */
export const sameLogin = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.replace(/\[bot\]$/, '') === b.replace(/\[bot\]$/, '')

/**
 * Who this token writes as. A personal token answers GET /user; installation tokens (GITHUB_TOKEN, a GitHub
 * App's) get 403 there but answer GraphQL's viewer. Undefined when neither answers: the created comment tells.
 */
async function identity(octokit: Octokit): Promise<string | undefined> {
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login
  } catch {
    // an installation token: try GraphQL
  }
  try {
    return (await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }')).viewer.login
  } catch {
    return undefined
  }
}

const statusOf = (error: unknown) => (error as { status?: number }).status

/**
 * Creates or updates the one comment of this key, written by this token's identity. When two runs race
 * and both create one, each then keeps the oldest and deletes the rest, so one comment remains. When the
 * identity is unknown, the comment created now names it, and the same clean-up keeps the older one.
 */
export async function upsertComment(target: CommentTarget, text: string): Promise<CommentOutcome> {
  const octokit = client(target.token)
  const tag = marker(target.key)
  const body = `${tag}\n${text}`
  const where = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber }
  try {
    let login = await identity(octokit)
    const ours = async (author: string | undefined) =>
      (await octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 }))
        .filter(c => sameLogin(c.user?.login, author) && c.body?.includes(tag))
        .sort((a, b) => a.id - b.id)

    let mine = login ? await ours(login) : []
    let status: 'created' | 'updated' | 'unchanged'
    if (mine.length === 0) {
      const created = await octokit.rest.issues.createComment({ ...where, body })
      login = created.data.user?.login ?? login
      status = 'created'
      mine = await ours(login)
      // A list that lags behind the create still has the comment just made.
      if (mine.length === 0) mine = [created.data]
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
