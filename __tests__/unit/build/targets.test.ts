import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { stringVariables } from '../../../src/build/declarations.js'
import { parseListing } from '../../../src/build/golist.js'
import { settleTargets, type SourceFacts } from '../../../src/build/targets.js'
import { parsePlatform } from '../../../src/process/platform.js'
import { readSettings } from '../../../src/settings/settings.js'
import { actionInputs } from '../inputs.js'

describe('string variables read from Go source', () => {
  it('finds the forms real projects use: one per line, grouped, several names, typed or given a literal', () => {
    const source = [
      'package version',
      '',
      '// Version is set by the linker: var NotThis string',
      'var Version string',
      'var (',
      '\tcommit    = "none" // set at release',
      '\tbuildDate = `unknown`',
      '\tcount     = 3',
      '\tA, B string',
      '\tparts = []string{"a",',
      '\t\t"b"}',
      '\tjoined = "a" +',
      '\t\t"b"',
      ')',
      'var fromCall = compute()',
      'var fromConst = Other',
      'var typed string = compute()',
      'var _ = "blank"',
      'var x, y = "1", "2"; var z int',
      'const Other = "c"',
      'func f() { var inside string; _ = inside }',
      "var r = '\"'",
      '/* var hidden string',
      '*/ var after = "x"'
    ].join('\n')
    expect(stringVariables(source)).toEqual({
      strings: ['Version', 'commit', 'buildDate', 'A', 'B', 'joined', 'typed', 'x', 'y', 'after'],
      untyped: ['count', 'parts', 'fromCall', 'fromConst', 'r'],
      constants: ['Other'],
      startup: [
        { name: 'fromCall', how: 'initializer' },
        { name: 'typed', how: 'initializer' }
      ]
    })
  })

  it('names constants, which -X cannot set, in blocks and lists', () => {
    const source = 'package p\n\nconst Version = "1.0"\nconst (\n\tA, B = "a", "b"\n\tC Kind = iota\n\tD\n)\n'
    expect(stringVariables(source).constants).toEqual(['Version', 'A', 'B', 'C', 'D'])
  })

  it('finds what func init sets over -X: unguarded, or guarded by a test of something else; not a guard of the variable itself', () => {
    const source = [
      'package main',
      'var version, commit, date, kept, field string',
      'func init() {',
      '\tinfo, ok := debug.ReadBuildInfo()',
      '\tif ok {',
      '\t\tversion = info.Main.Version',
      '\t}',
      '\tcommit, date = "a", "b"',
      '\tif kept == "" {',
      '\t\tkept = "dev"',
      '\t}',
      '\ts.field = "x"',
      '\tif version != date { }',
      '}',
      'func main() { kept = "later" }',
      'var computed = string("constant")'
    ].join('\n')
    expect(stringVariables(source).startup).toEqual([
      { name: 'version', how: 'init' },
      { name: 'commit', how: 'init' },
      { name: 'date', how: 'init' }
    ])
  })

  it('leaves out what func init assigns to a local of the same name (declared by var or :=, in the body or a header)', () => {
    const source = [
      'package main',
      'var version, commit, date, build string',
      'func init() {',
      '\tversion := "local"',
      '\tversion = version + "!"',
      '\tvar commit string',
      '\tcommit = "x"',
      '\tfor _, build := range []string{"a"} {',
      '\t\tbuild = "b"',
      '\t}',
      '\tdate = commit',
      '}',
      'func init() { build = "set" }'
    ].join('\n')
    expect(stringVariables(source).startup).toEqual([
      { name: 'date', how: 'init' },
      { name: 'build', how: 'init' }
    ])
  })

  it('is not thrown by braces, quotes or backticks inside literals and comments', () => {
    const source = 'package p\n\nvar s = "{ ( `"\nvar t = `} )\n" var u string`\n// }\nvar v string\n'
    expect(stringVariables(source).strings).toEqual(['s', 't', 'v'])
  })
})

describe('the listing, record by record', () => {
  it('reads NUL-ended fields, with the folder and Go files of packages outside the standard library', () => {
    const stdout = 'fmt\x00fmt\x00\x00\x00\nexample.com/a/cmd/a\x00main\x00true\x00/src/a/cmd/a\x00main.go\x00odd\nname.go\x00\n'
    expect(parseListing(stdout)).toEqual([
      { importPath: 'fmt', name: 'fmt', main: false, source: undefined },
      { importPath: 'example.com/a/cmd/a', name: 'main', main: true, source: { dir: '/src/a/cmd/a', files: ['main.go', 'odd\nname.go'] } }
    ])
  })
})

/** A module on disk: each package's folder and files, listed as the go command would. */
function module(packages: Record<string, Record<string, string>>, mainPackage: string): SourceFacts {
  const root = mkdtempSync(path.join(tmpdir(), 'settle-'))
  const sources = new Map<string, { dir: string; files: string[] }>()
  for (const [importPath, files] of Object.entries(packages)) {
    const dir = path.join(root, importPath)
    mkdirSync(dir, { recursive: true })
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
    sources.set(importPath, { dir, files: Object.keys(files) })
  }
  return { importPath: mainPackage, mainModulePackages: Object.keys(packages).filter(p => p.startsWith('example.com/app')), sources }
}

const moduleDir = mkdtempSync(path.join(tmpdir(), 'settle-module-'))
writeFileSync(path.join(moduleDir, 'go.mod'), 'module example.com/app\n')
const build = (inputs: Record<string, string> = {}) => ({
  ...readSettings(actionInputs(inputs), { GITHUB_WORKSPACE: moduleDir, GITHUB_REPOSITORY: 'acme/app' }).build,
  platforms: [parsePlatform('linux/amd64')]
})

describe('the -X targets, settled before the first link', () => {
  const main = 'package main\n\nfunc main() {}\n'

  it("keeps the input's variable when its package declares it", async () => {
    const facts = module({ 'example.com/app': { 'main.go': `${main}var Version string\nvar Build = "dev"\n` } }, 'example.com/app')
    const { build: settled } = await settleTargets(build(), facts)
    expect([settled.versionVariable, settled.buildVariable]).toEqual(['main.Version', 'main.Build'])
  })

  it("puts the version into the only look-alike of the main module (caddy's CustomVersion), as the twin would", async () => {
    const facts = module(
      {
        'example.com/app/cmd/app': { 'main.go': main },
        'example.com/app/internal/buildinfo': { 'info.go': 'package buildinfo\n\nvar CustomVersion = "unknown"\nvar GitCommit string\n' },
        'github.com/other/lib': { 'lib.go': 'package lib\n\nvar Version string\n' }
      },
      'example.com/app/cmd/app'
    )
    const { build: settled } = await settleTargets(build(), facts)
    expect(settled.versionVariable).toBe('example.com/app/internal/buildinfo.CustomVersion')
    expect(settled.buildVariable).toBe('example.com/app/internal/buildinfo.GitCommit')
  })

  it('leaves the input where several look alike, where none does, and where the input is none', async () => {
    const facts = module({ 'example.com/app': { 'main.go': `${main}var version, appVersion string\n` } }, 'example.com/app')
    expect((await settleTargets(build({ 'version-variable': 'main.Missing' }), facts)).build.versionVariable).toBe('main.Missing')
    const two = module({ 'example.com/app': { 'main.go': `${main}var version string\n`, 'v.go': 'package main\n\nvar Version = f()\n' } }, 'example.com/app')
    expect((await settleTargets(build(), two)).build.versionVariable).toBe('main.Version')
    const none = module({ 'example.com/app': { 'main.go': main } }, 'example.com/app')
    expect((await settleTargets(build({ 'build-variable': 'none' }), none)).build.buildVariable).toBe('none')
    expect((await settleTargets(build(), none)).build.versionVariable).toBe('main.Version')
  })

  it("looks in a dependency's package for a variable named there (prometheus/common/version)", async () => {
    const facts = module(
      {
        'example.com/app': { 'main.go': `${main}var version string\n` },
        'github.com/prometheus/common/version': { 'info.go': 'package version\n\nvar (\n\tVersion string\n\tRevision string\n)\n' }
      },
      'example.com/app'
    )
    const { build: settled } = await settleTargets(build({ 'version-variable': 'github.com/prometheus/common/version.Version' }), facts)
    expect(settled.versionVariable).toBe('github.com/prometheus/common/version.Version')
  })
})
