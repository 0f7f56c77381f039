import { warn } from './warnings.js'
import { execute, type Plan } from './runner.js'
import type { Settings } from './settings.js'

export interface VersionInfo {
  version: string
  build: string
  /** Commit time in seconds: SOURCE_DATE_EPOCH for reproducible images; undefined without a commit. */
  commitTime?: number
}

// Seed 000's Makefile: the latest tag or 0.1.0, the commit or "undefined".
export const DEFAULT_VERSION = '0.1.0'
export const DEFAULT_BUILD = 'undefined'

export const versionPlans = (cwd: string) => ({
  describe: { program: 'git', args: ['describe', '--abbrev=0', '--tags'], cwd } satisfies Plan,
  // One git start for both: `true`/`false`, then the commit.
  head: { program: 'git', args: ['rev-parse', '--is-shallow-repository', 'HEAD'], cwd } satisfies Plan,
  // The raw object names its parents even in a depth-1 clone, where `git log %P` shows none; and the commit time.
  headObject: { program: 'git', args: ['cat-file', 'commit', 'HEAD'], cwd } satisfies Plan
})

/** The parent commits named in a raw commit object (`git cat-file commit`). */
export function commitParents(rawCommit: string): string[] {
  const header = rawCommit.split('\n\n')[0]
  return [...header.matchAll(/^parent ([0-9a-f]{40,64})$/gm)].map(match => match[1])
}

/** The committer's time in a raw commit object, in seconds (what `git log --format=%ct` shows). */
export function commitTime(rawCommit: string): number | undefined {
  const time = /^committer .* (\d+) [+-]\d{4}$/m.exec(rawCommit.split('\n\n')[0])?.[1]
  return time === undefined ? undefined : Number(time)
}

/**
 * On a pull request actions/checkout gives GitHub's merge commit, which no reviewer can find: the build is
 * then the pull request's head, the merge's second parent. Any other checkout keeps its own commit.
 */
export function pullRequestBuild(head: string, rawCommit: string, headSha: string | undefined): string {
  if (!headSha) return head
  const parents = commitParents(rawCommit)
  return parents.length === 2 && parents[1] === headSha ? headSha : head
}

/** On a tag push the tag is the version, whatever `git describe` finds in a shallow clone. */
export function tagFromRef(ref: string | undefined): string | undefined {
  return ref?.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined
}

export async function resolveVersion(settings: Settings): Promise<VersionInfo> {
  const plans = versionPlans(settings.build.workingDirectory)
  const quiet = { allowFailure: true, quiet: true }
  const [described, head, headObject] = await Promise.all([execute(plans.describe, quiet), execute(plans.head, quiet), execute(plans.headObject, quiet)])
  const [shallowLine, commitLine] = head.stdout.trim().split('\n')
  const shallow = shallowLine === 'true'
  let version = settings.build.version ?? tagFromRef(settings.github.ref)
  if (!version) {
    if (described.code === 0 && described.stdout.trim()) {
      version = described.stdout.trim()
    } else {
      version = DEFAULT_VERSION
      if (shallow) {
        warn(
          `No tag is reachable in this shallow clone, so the version is ${DEFAULT_VERSION}. ` +
            'Fetch the history and tags: actions/checkout with "fetch-depth: 0" (or "fetch-tags: true"), or set the version input.'
        )
      }
    }
  }
  const commit = head.code === 0 ? (commitLine ?? '') : ''
  const build = settings.build.build ?? (commit ? pullRequestBuild(commit, headObject.stdout, settings.github.pullRequest?.headSha) : DEFAULT_BUILD)
  return { version, build, commitTime: headObject.code === 0 ? commitTime(headObject.stdout) : undefined }
}
