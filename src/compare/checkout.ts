import { existsSync } from 'node:fs'
import { copyFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { commitParents } from '../build/index.js'
import { execute, type Plan } from '../process/index.js'
import type { Settings } from '../settings/index.js'

// The base commit, and a checkout of its own to rebuild it in, beside the head's.

const git = (cwd: string, ...args: string[]): Plan => ({ program: 'git', args, cwd })

async function gitOut(cwd: string, ...args: string[]): Promise<string | undefined> {
  const outcome = await execute(git(cwd, ...args), { allowFailure: true, quiet: true })
  return outcome.code === 0 ? outcome.stdout.trim() : undefined
}

/**
 * Fetches commits into the object store and changes nothing else of the user's clone: no ref, no FETCH_HEAD, no tag,
 * no remote-tracking branch (`--refmap=`), and a depth only for a clone that was shallow already.
 */
async function fetchCommits(cwd: string, options: string[], ...revs: string[]): Promise<void> {
  const args = ['fetch', '--no-tags', '--no-write-fetch-head', '--refmap=', '--quiet', ...options, '--end-of-options', 'origin', ...revs]
  await execute(git(cwd, ...args), { allowFailure: true })
}

async function haveCommit(cwd: string, rev: string): Promise<string | undefined> {
  return gitOut(cwd, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`)
}

/** The commit, fetched from origin when the clone lacks it: a shallow clone gets it alone, a full one whole. */
async function ensureCommit(cwd: string, sha: string, shallow: boolean): Promise<string | undefined> {
  if (!(await haveCommit(cwd, sha))) await fetchCommits(cwd, shallow ? ['--depth=1'] : [], sha)
  return haveCommit(cwd, sha)
}

// How far a shallow clone is deepened, step by step, until HEAD and the base meet.
const DEEPEN_STEPS = [50, 500, 5000]

/** merge-base of HEAD and `other`; a clone that is already shallow is deepened only as far as the two histories meet. */
async function mergeBase(cwd: string, other: string, shallow: boolean): Promise<string> {
  const head = await haveCommit(cwd, 'HEAD')
  for (const deepen of [0, ...DEEPEN_STEPS]) {
    if (deepen > 0) {
      if (!shallow || !head) break
      await fetchCommits(cwd, [`--deepen=${deepen}`], head, other)
    }
    const base = await gitOut(cwd, 'merge-base', '--end-of-options', 'HEAD', other)
    if (base) return base
  }
  throw new Error(
    `HEAD and ${other} share no history${shallow ? ` in the ${DEEPEN_STEPS.at(-1)} commits fetched` : ''}: cannot find the commit the change is measured against` +
      (shallow ? ' (check out with actions/checkout fetch-depth: 0)' : '')
  )
}

/** The commit a branch or tag of origin names, asked of origin without fetching anything. */
async function remoteCommit(cwd: string, ref: string): Promise<string | undefined> {
  const listed = (await gitOut(cwd, 'ls-remote', '--end-of-options', 'origin', ref)) ?? ''
  const refs = new Map(listed.split('\n').map(line => [line.split('\t')[1], line.split('\t')[0]] as const))
  for (const name of [`refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`, ref]) {
    if (refs.has(name)) return refs.get(name)
  }
  return undefined
}

/** base-ref as a commit: found in the clone, else asked of origin and fetched by its id. */
async function resolveRef(top: string, ref: string, shallow: boolean): Promise<string> {
  const local = (await haveCommit(top, ref)) ?? (await haveCommit(top, `refs/remotes/origin/${ref}`))
  if (local) return local
  const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(ref) ? ref : await remoteCommit(top, ref)
  const fetched = sha && (await ensureCommit(top, sha, shallow))
  if (!fetched) throw new Error(`base-ref "${ref}" is neither a commit nor a branch or tag of origin`)
  return fetched
}

/**
 * The commit a pull request is measured against: the first parent of GitHub's merge commit when that is
 * checked out (the default), else the merge base of HEAD and the base branch. Fetches what a shallow clone lacks,
 * and nothing more.
 */
export async function resolveBaseCommit(settings: Pick<Settings, 'compare' | 'github'>, top: string): Promise<string> {
  const pr = settings.github.pullRequest
  const ref = settings.compare.baseline.kind === 'build' ? settings.compare.baseline.ref : undefined
  const shallow = (await gitOut(top, 'rev-parse', '--is-shallow-repository')) === 'true'
  if (!ref && pr) {
    // The raw commit names its parents even in a depth-1 clone, where rev-list shows none.
    const parents = commitParents((await gitOut(top, 'cat-file', 'commit', 'HEAD')) ?? '')
    const mergeParent = parents.length === 2 && parents[1] === pr.headSha ? parents[0] : undefined
    const wanted = mergeParent ?? pr.baseSha
    if (!(await ensureCommit(top, wanted, shallow))) throw new Error(`the base commit ${wanted} could not be fetched from origin`)
    return mergeParent ?? mergeBase(top, pr.baseSha, shallow)
  }
  if (!ref) throw new Error('no base to compare with: set base-ref, or run on a pull_request event')
  return mergeBase(top, await resolveRef(top, ref, shallow), shallow)
}

export async function repositoryTop(settings: Pick<Settings, 'build'>): Promise<string> {
  const top = await gitOut(settings.build.workingDirectory, 'rev-parse', '--show-toplevel')
  if (!top) throw new Error(`${settings.build.workingDirectory} is not in a git repository: the base cannot be built (use baseline-image, or compare: off)`)
  return top
}

/**
 * Runs `work` on a checkout of `commit` of its own, in `folder` under the run's folder: a new repository that borrows
 * the user's objects (git's alternates), its tags and, in a shallow clone, its list of shallow commits. Nothing is written into
 * the user's repository. It has a .git folder of its own because Go stamps a binary with its commit (vcs.revision,
 * vcs.time) only there: a `git worktree` has a .git file, which Go does not recognise, and its base binary would lack
 * the stamp that the same commit's own checkout gets, so it would measure smaller than that commit built anywhere.
 */
export async function inCheckout<T>(top: string, commit: string, folder: string, work: (dir: string) => Promise<T>): Promise<T> {
  const gitPath = (name: string) => gitOut(top, 'rev-parse', '--path-format=absolute', '--git-path', name)
  const [objects, shallow] = await Promise.all([gitPath('objects'), gitPath('shallow')])
  if (!objects) throw new Error(`the git objects of ${top} could not be found`)
  try {
    await execute(git(path.dirname(folder), 'init', '--quiet', folder), { quiet: true })
    await writeFile(path.join(folder, '.git/objects/info/alternates'), `${objects}\n`)
    if (shallow && existsSync(shallow)) await copyFile(shallow, path.join(folder, '.git/shallow'))
    await copyTags(top, folder)
    // As actions/checkout leaves LFS files by default: their pointers (this repository has no LFS remote to fetch from).
    await execute({ ...git(folder, 'checkout', '--quiet', '--detach', commit), env: { GIT_LFS_SKIP_SMUDGE: '1' } }, { quiet: true })
    return await work(folder)
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

/**
 * The user's tags, as the checkout's packed refs: the base's version is then described from them (git describe, and
 * Go's own stamp of the module version), as a push of that commit would be, and it measures what that push measured.
 */
async function copyTags(top: string, folder: string): Promise<void> {
  const tags = await gitOut(top, 'for-each-ref', '--format=%(objectname) %(refname)', 'refs/tags')
  if (tags) await writeFile(path.join(folder, '.git/packed-refs'), `${tags}\n`)
}

/** The same settings, pointed at the base's copy of the module. */
export function settingsForCheckout(settings: Settings, top: string, checkout: string, runId: string): Settings {
  return {
    ...settings,
    build: { ...settings.build, workingDirectory: path.join(checkout, path.relative(top, settings.build.workingDirectory)) },
    // Never the change's tags, nor another run's: a loaded base must not replace the change's image, and the run that
    // removes it after measuring must not remove a base that a run beside it is still saving.
    publish: { ...settings.publish, tags: [`${settings.publish.image}:base-${runId}`], push: false },
    // The base has its own version and build: not the pushed tag's, not the pull request head's.
    github: { ...settings.github, ref: undefined, refName: undefined, pullRequest: undefined }
  }
}
