import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { commitParents, commitTime, declaredString, parseDescribe, pseudoVersion, pullRequestBuild, versionOriginText } from '../../../src/build/version.js'
import { sameLogin } from '../../../src/report/comment.js'

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

describe('the version of a commit past its tag', () => {
  // 2026-08-19 14:53:14 UTC
  const time = 1787151194
  const commit = '63225f17ccbb0123456789abcdef0123456789ab'

  it('reads the nearest tag and the commits past it from git describe --long, dashes in the tag and all', () => {
    expect(parseDescribe('v0.5.16-7-g63225f17cc\n')).toEqual({ tag: 'v0.5.16', commits: 7 })
    expect(parseDescribe('v1.0.0-rc.1-0-gabcdef1')).toEqual({ tag: 'v1.0.0-rc.1', commits: 0 })
    expect(parseDescribe('release-2-10-gabcdef1')).toEqual({ tag: 'release-2', commits: 10 })
    expect(parseDescribe('fatal: No names found')).toBeUndefined()
  })

  it("is Go's pseudo-version: the next patch past a release, .0. past a pre-release, the UTC time and 12 hex digits", () => {
    expect(pseudoVersion('v0.5.16', commit, time)).toBe('v0.5.17-0.20260819145314-63225f17ccbb')
    expect(pseudoVersion('v1.3.0-rc.1', commit, time)).toBe('v1.3.0-rc.1.0.20260819145314-63225f17ccbb')
    expect(pseudoVersion('v1.2.9', commit, time)).toBe('v1.2.10-0.20260819145314-63225f17ccbb')
    expect(pseudoVersion('v2.0.0+incompatible', commit, time)).toBe('v2.0.1-0.20260819145314-63225f17ccbb+incompatible')
    // A module in a folder tags tools/v1.2.3; a tag without the v keeps its style; a tag that is no version has no base.
    expect(pseudoVersion('tools/v1.2.3', commit, time)).toBe('v1.2.4-0.20260819145314-63225f17ccbb')
    expect(pseudoVersion('1.2.3', commit, time)).toBe('1.2.4-0.20260819145314-63225f17ccbb')
    expect(pseudoVersion('nightly', commit, time)).toBe('v0.0.0-20260819145314-63225f17ccbb')
  })

  it('says how far past the tag the commit is, and nothing when the version is plain', () => {
    expect(versionOriginText({ kind: 'past-tag', tag: 'v1.2.3', commits: 3 })).toBe('3 commits after v1.2.3')
    expect(versionOriginText({ kind: 'past-tag', tag: 'v1.2.3', commits: 1 })).toBe('1 commit after v1.2.3')
    expect(versionOriginText({ kind: 'past-tag', tag: 'nightly', commits: 2 })).toContain('no semantic version')
    expect(versionOriginText({ kind: 'tag', tag: 'v1.2.3' })).toBeUndefined()
    // Any name git allows, shown with what a version may hold only.
    expect(versionOriginText({ kind: 'past-tag', tag: 'v1.0.0-<img>|`x`', commits: 2 })).toBe(
      "2 commits after v1.0.0-?img???x?, which is no semantic version (so Go's base v0.0.0)"
    )
  })
})

describe("a program's own version, read from its declaration", () => {
  it('finds the string a variable is declared with, alone or in a var block, quoted or raw', () => {
    expect(declaredString('var version = "unknown"\n', 'version')).toBe('unknown')
    expect(declaredString('var (\n\tversion = "dev"\n\tcommit  = "none"\n)\n', 'commit')).toBe('none')
    expect(declaredString('// CustomVersion is set.\nvar CustomVersion string = "(devel)"\n', 'CustomVersion')).toBe('(devel)')
    expect(declaredString('var Version = `v0`\n', 'Version')).toBe('v0')
    expect(declaredString('var version = "tab\\tx"\n', 'version')).toBe('tab\tx')
  })

  it('finds nothing for a declaration without a literal, or another variable of the same prefix', () => {
    expect(declaredString('var Version string // set by the linker\n', 'Version')).toBeUndefined()
    expect(declaredString('var VersionFull = "x"\n', 'Version')).toBeUndefined()
    expect(declaredString('var version = computeVersion()\n', 'version')).toBeUndefined()
  })
})
