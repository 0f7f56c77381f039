import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sameLogin } from '../../src/comment.js'
import { commitParents, commitTime, pullRequestBuild } from '../../src/version.js'

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' }
  }).trim()

/** A base, a head branch, and the merge commit GitHub would check out for the pull request. */
function mergeCheckout() {
  const dir = mkdtempSync(path.join(tmpdir(), 'merge-parents-'))
  git(dir, 'init', '-q', '-b', 'main')
  writeFileSync(path.join(dir, 'a'), 'a')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'base')
  git(dir, 'checkout', '-q', '-b', 'feature')
  writeFileSync(path.join(dir, 'b'), 'b')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'head')
  const head = git(dir, 'rev-parse', 'HEAD')
  git(dir, 'checkout', '-q', 'main')
  writeFileSync(path.join(dir, 'c'), 'c')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'main moves on')
  const base = git(dir, 'rev-parse', 'HEAD')
  git(dir, 'merge', '-q', '--no-ff', '-m', 'merge', 'feature')
  return { dir, head, base, merge: git(dir, 'rev-parse', 'HEAD') }
}

describe('the build of a pull request', () => {
  const { dir, head, base, merge } = mergeCheckout()
  const raw = git(dir, 'cat-file', 'commit', 'HEAD')

  it('reads both parents of the merge commit from the raw object', () => {
    expect(commitParents(raw)).toEqual([base, head])
  })

  it('reads the commit time from the raw object as git log %ct shows it', () => {
    expect(commitTime(raw)).toBe(Number(git(dir, 'log', '-1', '--format=%ct')))
  })

  it('is the head of the pull request when the merge commit is checked out', () => {
    expect(pullRequestBuild(merge, raw, head)).toBe(head)
  })

  it('stays the checked-out commit otherwise', () => {
    expect(pullRequestBuild(merge, raw, 'f'.repeat(40))).toBe(merge)
    expect(pullRequestBuild(merge, raw, undefined)).toBe(merge)
    const single = git(dir, 'cat-file', 'commit', 'HEAD~1')
    expect(pullRequestBuild(base, single, head)).toBe(base)
  })
})

describe('comment authors', () => {
  it('match with or without the [bot] suffix GraphQL leaves out', () => {
    expect(sameLogin('github-actions[bot]', 'github-actions')).toBe(true)
    expect(sameLogin('my-app[bot]', 'my-app[bot]')).toBe(true)
    expect(sameLogin('my-app[bot]', 'other-app[bot]')).toBe(false)
    expect(sameLogin('someone', undefined)).toBe(false)
  })
})
