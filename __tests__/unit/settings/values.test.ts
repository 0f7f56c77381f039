import { spawnSync } from 'node:child_process'
import { Kept } from '../../../src/process/runner.js'
import {
  baseRefProblem,
  binaryNameProblem,
  buildFlagsProblems,
  builderProblem,
  clip,
  packageProblem,
  refRule,
  workdirProblem
} from '../../../src/settings/values.js'

describe('base-ref follows git check-ref-format', () => {
  const cases = [
    'main',
    'release/1.x',
    'v1.2.3',
    'a'.repeat(40),
    'feature/a.b',
    '-x',
    '--upload-pack=touch /tmp/x; git-upload-pack',
    'a..b',
    'a b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[',
    'a\\b',
    'a@{1}',
    '@',
    'a.',
    '/a',
    'a/',
    'a//b',
    '.a',
    'a/.b',
    'a.lock',
    'a/b.lock/c',
    'a\tb',
    'caf\u00e9'
  ]
  it.each(cases)('%j as git judges it', ref => {
    // git's own verdict; a leading - is an option to git itself, which is the point of refusing it.
    const git = ref.startsWith('-') ? 1 : spawnSync('git', ['check-ref-format', '--allow-onelevel', ref]).status
    expect(refRule(ref) === undefined).toBe(git === 0)
  })

  it('says what to give instead', () => {
    expect(baseRefProblem('-x')).toBe('base-ref "-x" starts with "-", which git would read as an option: give a branch, tag or commit of origin, like main')
  })
})

describe('values that reach a command line or the Dockerfile', () => {
  it.each(['/data', '/var/lib/app-1', '/srv/a.b/c_d@e+f'])('workdir %j is a plain folder', workdir => expect(workdirProblem(workdir)).toBeUndefined())
  it.each(['data', '/', '/data\nUSER 0', '/a/../b', '/a/./b', '/$HOME', '/a b', '/a//b', '/a/'])('workdir %j is refused', workdir =>
    expect(workdirProblem(workdir)).toMatch(/must be an absolute folder in the image/)
  )

  it('package: no flag, one path', () => {
    expect(packageProblem('./cmd/server')).toBeUndefined()
    expect(packageProblem('example.com/x/cmd/y')).toBeUndefined()
    expect(packageProblem('-toolexec=/x')).toMatch(/starts with "-", which go would read as a flag/)
    expect(packageProblem('./a ./b')).toMatch(/must be one folder or import path/)
    expect(packageProblem('')).toMatch(/package is empty/)
  })

  it('build-flags: flags and their values only', () => {
    expect(buildFlagsProblems(['-tags', 'netgo', '-mod=vendor', '-race', '--gcflags', 'all=-N'])).toEqual([])
    expect(buildFlagsProblems(['./other'])).toEqual([
      'build-flags holds "./other", which is not a flag: go would build it as a package. The package goes in the package input'
    ])
    expect(buildFlagsProblems(['-o', '/tmp/x'])).toEqual(['build-flags must not set -o: the action sets it (use ldflags for linker flags)'])
    expect(buildFlagsProblems(['-x', 'pkg'])).toHaveLength(1)
    expect(buildFlagsProblems(['-tags'])).toEqual(['build-flags ends with -tags, which needs a value (like -tags netgo)'])
  })

  it('builder and binary-name', () => {
    expect(builderProblem('builder-1a2b')).toBeUndefined()
    expect(builderProblem('--debug')).toMatch(/is not a builder name/)
    expect(binaryNameProblem('hello')).toBeUndefined()
    expect(binaryNameProblem('x'.repeat(256))).toMatch(/^binary-name "x{80}… \(256 characters\)" must be a plain file name of at most 255/)
  })
})

describe('kept output', () => {
  it('keeps everything under the limit, head and tail over it, and counts what it dropped', () => {
    const kept = new Kept(10)
    for (const chunk of ['abc', 'defgh', 'ijklmnop', 'qrstuvwxyz']) kept.add(Buffer.from(chunk))
    expect(kept.text()).toBe('abcde\n… (16 bytes dropped) …\nvwxyz')
    const all = new Kept()
    all.add(Buffer.from('abc'))
    all.add(Buffer.from('def'))
    expect(all.text()).toBe('abcdef')
  })

  it('clips text for the report', () => {
    expect(clip('short', 10)).toBe('short')
    expect(clip('0123456789abcdef', 10)).toBe('01234 … (6 characters left out) … bcdef')
  })
})
