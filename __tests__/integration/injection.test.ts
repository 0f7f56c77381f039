/**
 * What real projects do with their version (seen on public Go projects): a lower-case main.version, a version
 * package under cmd/NAME's module, or nothing at all (debug.ReadBuildInfo). The report must say what the binary
 * really carries, and the image's own binary must agree.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { docker, git, goModule, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git'))

function repository(files: Record<string, string>): { dir: string; sha: string } {
  const dir = goModule(files)
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'init')
  return { dir, sha: git(dir, 'rev-parse', 'HEAD') }
}

const unique = () => Date.now().toString(36)

/** A `go` first on PATH that notes each build before the real one runs: the twin's (its output under unstripped/) or not. */
function goWatcher(): { env: Record<string, string>; builds: () => string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'go-watch-'))
  const notes = path.join(dir, 'builds')
  const real = execFileSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).trim()
  const script = [
    '#!/bin/sh',
    '[ "$1" = build ] || exec "$REAL_GO" "$@"',
    'out=; prev=',
    'for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done',
    'case "$out" in */unstripped/*) echo twin ;; *) echo shipped ;; esac >> "$GO_NOTES"',
    'exec "$REAL_GO" "$@"'
  ].join('\n')
  writeFileSync(path.join(dir, 'go'), `${script}\n`, { mode: 0o755 })
  return {
    env: { PATH: `${dir}:${process.env.PATH}`, REAL_GO: real, GO_NOTES: notes },
    builds: () => (existsSync(notes) ? readFileSync(notes, 'utf8').trim().split('\n') : [])
  }
}

describe('a cold Go build cache', () => {
  it('is compiled once: the unstripped twin starts after every package is compiled, and only links', async () => {
    const repo = repository({
      'go.mod': 'module example.com/cold\n\ngo 1.22\n',
      'internal/greet/greet.go': `package greet\n\n// Unique to this run, so no cache has it.\nconst Hello = "hello ${Date.now()}"\n`,
      'main.go':
        'package main\n\nimport (\n\t"os"\n\n\t"example.com/cold/internal/greet"\n)\n\nvar Version = "dev"\n\nfunc main() { os.Stdout.WriteString(greet.Hello + Version) }\n'
    })
    // Every tool go runs, noted by package; an empty cache of the run's own.
    const dir = mkdtempSync(path.join(tmpdir(), 'toolexec-'))
    const tools = path.join(dir, 'tools')
    writeFileSync(
      path.join(dir, 'note'),
      // go asks each tool its version (-V=full) for the cache keys: not a run of it.
      `#!/bin/sh\ncase " $* " in *" -V=full "*) exec "$@" ;; esac\ntool=$(basename "$1"); pkg=; prev=\nfor a in "$@"; do [ "$prev" = -p ] && pkg=$a; prev=$a; done\necho "$tool $pkg" >> ${tools}\nexec "$@"\n`,
      { mode: 0o755 }
    )
    const run = await runAction(
      { image: `slim-test/cold-${unique()}`, 'smoke-test': '', load: 'false', 'build-variable': 'none' },
      { workspace: repo.dir, env: { GOCACHE: path.join(dir, 'cache'), GOFLAGS: `-buildvcs=false -toolexec=${path.join(dir, 'note')}` } }
    )
    expect(run.errors).toEqual([])
    const lines = readFileSync(tools, 'utf8').trim().split('\n')
    const compiled = lines.filter(line => line.startsWith('compile '))
    // The standard library's packages and the module's two, each compiled once; two links.
    expect(compiled).toContain('compile example.com/cold/internal/greet')
    expect(compiled).toContain('compile main')
    expect(compiled.length).toBeGreaterThan(20)
    expect(compiled.filter((line, i) => compiled.indexOf(line) !== i)).toEqual([])
    expect(lines.filter(line => line.startsWith('link'))).toHaveLength(2)
    expect(run.outputs['version-injected']).toBe('true')
  })
})

describe('the version really injected', () => {
  it('main.version (lower case), the one candidate, receives the version, and the run says so', async () => {
    const repo = repository({
      'go.mod': 'module example.com/tool\n\ngo 1.22\n',
      'main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nvar (\n\tversion = "dev"\n\tcommit  = "none"\n)\n\nfunc main() {\n\tif len(os.Args) > 1 && os.Args[1] == "version" {\n\t\tfmt.Printf("%s %s\\n", version, commit)\n\t}\n}\n'
    })
    const image = `slim-test/lower-${unique()}`
    const run = await runAction({ image, version: '1.2.3', 'smoke-test': 'version' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(docker('run', '--rm', '--network', 'none', `${image}:1.2.3`, 'version')).toBe(`1.2.3 ${repo.sha}`)
    expect(run.outputs['version-injected']).toBe('true')
    expect(run.outputs['build-injected']).toBe('true')
    expect(run.stdout).toContain('the version went into main.version')
    expect(run.summary).toContain('version: injected into `main.version`')
    expect(run.summary).toContain('-X main.version=1.2.3')
    docker('image', 'rm', `${image}:1.2.3`)
  })

  it('a version package of the module, under a cmd/NAME layout', async () => {
    const repo = repository({
      'go.mod': 'module example.com/served\n\ngo 1.22\n',
      'internal/version/version.go': 'package version\n\n// Set by the linker.\nvar Version = "devel"\n',
      'cmd/served/main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/served/internal/version"\n)\n\nfunc main() { fmt.Println(version.Version) }\n'
    })
    const image = `slim-test/pkg-${unique()}`
    const run = await runAction({ image, package: './cmd/served', 'binary-name': 'served', version: '0.9.0', 'smoke-test': '' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(docker('run', '--rm', '--network', 'none', `${image}:0.9.0`)).toBe('0.9.0')
    expect(run.outputs['version-injected']).toBe('true')
    // No variable looks like a build: said, not claimed.
    expect(run.outputs['build-injected']).toBe('false')
    expect(run.warnings.join('\n')).toContain('The build was not injected: build-variable main.Build is not a string variable')
    expect(run.summary).toMatch(/build `[0-9a-f]{12}` \(not injected\)/)
    docker('image', 'rm', `${image}:0.9.0`)
  })

  it('no version variable at all: a warning names the input to set, the output says false', async () => {
    const repo = repository({
      'go.mod': 'module example.com/plain\n\ngo 1.22\n',
      'main.go': 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("plain") }\n'
    })
    const run = await runAction({ image: `slim-test/plain-${unique()}`, version: '2.0.0', load: 'false' }, { workspace: repo.dir })
    expect(run.code).toBe(0)
    expect(run.outputs['version-injected']).toBe('false')
    const warning = run.warnings.find(w => w.startsWith('The version was not injected'))
    expect(warning).toContain('version-variable main.Version is not a string variable of this program')
    expect(warning).toContain('Set version-variable')
    expect(warning).toContain('or version-variable: none if it has none')
    expect(run.summary).toContain('version `2.0.0` (not injected)')
  })

  it("a program that reports Go's own stamp (debug.ReadBuildInfo) is warned of with none as the way out, and the stamp is in the image's binary", async () => {
    const repo = repository({
      'go.mod': 'module example.com/stamped\n\ngo 1.22\n',
      'main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"runtime/debug"\n)\n\nfunc main() {\n\tinfo, _ := debug.ReadBuildInfo()\n\tfor _, s := range info.Settings {\n\t\tif s.Key == "vcs.revision" {\n\t\t\tfmt.Println(s.Value)\n\t\t}\n\t}\n}\n'
    })
    const image = `slim-test/stamped-${unique()}`
    // A hosted runner's Go stamps the commit (this machine turns that off): the action must leave it on.
    const run = await runAction({ image, version: '2.0.0' }, { workspace: repo.dir, env: { GOFLAGS: '-buildvcs=auto' } })
    expect(run.errors).toEqual([])
    expect(run.outputs['version-injected']).toBe('false')
    const warning = run.warnings.find(w => w.startsWith('The version was not injected'))
    expect(warning).toContain("The program reads Go's build info (runtime/debug.ReadBuildInfo)")
    expect(warning).toContain('Set version-variable: none if that is what you want')
    expect(docker('run', '--rm', '--network', 'none', `${image}:2.0.0`)).toBe(repo.sha)
    docker('image', 'rm', `${image}:2.0.0`)
  })

  it('a variable func init sets from the build info is not claimed: the report says the program sets it again, and the image prints the stamp', async () => {
    const repo = repository({
      'go.mod': 'module example.com/reset\n\ngo 1.22\n',
      'main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"runtime/debug"\n)\n\nvar version = "dev"\n\nfunc init() {\n\tif info, ok := debug.ReadBuildInfo(); ok {\n\t\tversion = info.Main.Version\n\t}\n}\n\nfunc main() { fmt.Println(version) }\n'
    })
    const image = `slim-test/reset-${unique()}`
    const run = await runAction({ image, version: '1.2.3', 'version-variable': 'main.version', 'smoke-test': 'version' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    const printed = docker('run', '--rm', '--network', 'none', `${image}:1.2.3`)
    expect(printed).not.toBe('1.2.3')
    expect(run.outputs['version-injected']).toBe('false')
    const [version] = JSON.parse(run.outputs['report-json']).injections
    expect(version).toEqual({ role: 'version', variable: 'main.version', injected: false, overridden: { by: 'startup' } })
    expect(run.warnings.find(w => w.startsWith('The version is not what the program reports'))).toContain('a func init of its package assigns it')
    expect(run.summary).toContain('version `1.2.3` (not what the program reports)')
    docker('image', 'rm', `${image}:1.2.3`)
  })

  it('a version main() replaces is not claimed either: the smoke test printed another one, and the report names it', async () => {
    const repo = repository({
      'go.mod': 'module example.com/later\n\ngo 1.22\n',
      'main.go': 'package main\n\nimport "fmt"\n\nvar Version = "dev"\n\nfunc main() {\n\tVersion = "4.5.6"\n\tfmt.Println("later", Version)\n}\n'
    })
    const image = `slim-test/later-${unique()}`
    const run = await runAction({ image, version: '1.2.3', 'smoke-test': 'version' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(docker('run', '--rm', '--network', 'none', `${image}:1.2.3`)).toBe('later 4.5.6')
    expect(run.outputs['version-injected']).toBe('false')
    const [version] = JSON.parse(run.outputs['report-json']).injections
    expect(version.overridden).toEqual({ by: 'smoke', printed: ['4.5.6'] })
    expect(run.warnings.join('\n')).toContain('The smoke test printed 4.5.6, not the injected version 1.2.3')
    expect(run.summary).toContain('but the smoke test printed `4.5.6`')
    docker('image', 'rm', `${image}:1.2.3`)
  })

  it('a constant Version is named in the warning: -X cannot set it, and the image prints the constant', async () => {
    const repo = repository({
      'go.mod': 'module example.com/fixed\n\ngo 1.22\n',
      'internal/version/version.go': 'package version\n\nconst Version = "1.0.0"\n',
      'cmd/fixed/main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/fixed/internal/version"\n)\n\nfunc main() { fmt.Println(version.Version) }\n'
    })
    const image = `slim-test/fixed-${unique()}`
    const run = await runAction({ image, version: '2.0.0', 'smoke-test': '' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(docker('run', '--rm', '--network', 'none', `${image}:2.0.0`)).toBe('1.0.0')
    expect(run.outputs['version-injected']).toBe('false')
    expect(JSON.parse(run.outputs['report-json']).injections[0]).toEqual({ role: 'version', variable: 'main.Version', injected: false })
    const warning = run.warnings.find(w => w.startsWith('The version was not injected'))
    expect(warning).toContain('example.com/fixed/internal/version.Version is a constant, which -X cannot set')
    expect(warning).toContain('or set version-variable: none')
    docker('image', 'rm', `${image}:2.0.0`)
  })

  it('build-variable none: nothing injected, nothing warned, the output says false', async () => {
    const repo = repository({
      'go.mod': 'module example.com/versioned\n\ngo 1.22\n',
      'main.go': 'package main\n\nimport "fmt"\n\nvar Version = "dev"\n\nfunc main() { fmt.Println(Version) }\n'
    })
    const image = `slim-test/none-${unique()}`
    const run = await runAction({ image, version: '3.1.0', 'build-variable': 'none' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.warnings).toEqual([])
    expect(run.outputs['version-injected']).toBe('true')
    expect(run.outputs['build-injected']).toBe('false')
    expect(run.summary).toContain('build: not injected: `build-variable` is none (the program has no such variable)')
    expect(run.summary).not.toContain('-X main.Build')
    expect(docker('run', '--rm', '--network', 'none', `${image}:3.1.0`)).toBe('3.1.0')
    docker('image', 'rm', `${image}:3.1.0`)
  })
})

/** Commits on top of a repository, each changing a file, as a project's history moves on past its tag. */
function commitMore(dir: string, count: number): string {
  for (let i = 0; i < count; i++) {
    writeFileSync(path.join(dir, 'CHANGELOG.md'), `change ${i}\n`)
    git(dir, 'add', '-A')
    git(dir, 'commit', '-qm', `change ${i}`)
  }
  return git(dir, 'rev-parse', 'HEAD')
}

// The program prints the version it was given and the one Go itself stamps from git (a hosted runner's -buildvcs).
const STAMPED = {
  'go.mod': 'module example.com/moving\n\ngo 1.22\n',
  'main.go':
    'package main\n\nimport (\n\t"fmt"\n\t"runtime/debug"\n)\n\nvar version = "dev"\n\nfunc main() {\n\tinfo, _ := debug.ReadBuildInfo()\n\tfmt.Println(version, info.Main.Version)\n}\n'
}

describe('the version of a commit past its tag', () => {
  it.each([
    ['three commits past a release', 'v1.2.3', 3, /^v1\.2\.4-0\.\d{14}-[0-9a-f]{12}$/],
    ['one commit past a pre-release', 'v1.3.0-rc.1', 1, /^v1\.3\.0-rc\.1\.0\.\d{14}-[0-9a-f]{12}$/]
  ])("%s: Go's own pseudo-version, injected, tagged, and said", async (_, tag, commits, shape) => {
    const repo = repository(STAMPED)
    git(repo.dir, 'tag', tag)
    const sha = commitMore(repo.dir, commits)
    const image = `slim-test/moving-${unique()}`
    const run = await runAction({ image, 'smoke-test': '' }, { workspace: repo.dir, env: { GOFLAGS: '-buildvcs=auto' } })
    expect(run.errors).toEqual([])
    const version = run.outputs.version
    expect(version).toMatch(shape)
    expect(version.endsWith(sha.slice(0, 12))).toBe(true)
    // What the image's binary prints: the injected version, then Go's own stamp of the same commit.
    expect(docker('run', '--rm', '--network', 'none', `${image}:${version}`)).toBe(`${version} ${version}`)
    const report = JSON.parse(run.outputs['report-json'])
    expect(report.version.origin).toEqual({ kind: 'past-tag', tag, commits })
    expect(run.summary).toContain(`version \`${version}\` (${commits} commit${commits === 1 ? '' : 's'} after ${tag})`)
    expect(run.stdout).toContain(`after ${tag})`)
    docker('image', 'rm', `${image}:${version}`)
  })

  it('at the tag itself the version is the tag', async () => {
    const repo = repository(STAMPED)
    git(repo.dir, 'tag', 'v2.0.1')
    const image = `slim-test/tagged-${unique()}`
    const run = await runAction({ image, 'smoke-test': '', load: 'false' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.outputs.version).toBe('v2.0.1')
    expect(JSON.parse(run.outputs['report-json']).version.origin).toEqual({ kind: 'tag', tag: 'v2.0.1' })
  })

  it('with no tag, 0.1.0 goes into the only version-like variable (internal/buildinfo.CustomVersion), and the report names the default it replaced', async () => {
    const repo = repository({
      'go.mod': 'module example.com/custom\n\ngo 1.22\n',
      'internal/buildinfo/buildinfo.go': 'package buildinfo\n\n// CustomVersion is set at release time.\nvar CustomVersion = "unknown"\n',
      'cmd/custom/main.go':
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/custom/internal/buildinfo"\n)\n\nfunc main() { fmt.Println(buildinfo.CustomVersion) }\n'
    })
    const image = `slim-test/custom-${unique()}`
    const go = goWatcher()
    const run = await runAction({ image, 'smoke-test': '', 'build-variable': 'none', upx: '1' }, { workspace: repo.dir, env: go.env })
    expect(run.errors).toEqual([])
    expect(run.warnings).toEqual([])
    expect(run.outputs['version-injected']).toBe('true')
    // Settled before the first link: one link of each, one UPX run, one image build.
    expect(go.builds().sort()).toEqual(['shipped', 'twin'])
    expect(run.stdout.match(/^\$ \S*upx -1 /gm)).toHaveLength(1)
    expect(run.stdout.match(/^\$ \S*buildx build /gm)).toHaveLength(1)
    expect(docker('run', '--rm', '--network', 'none', `${image}:0.1.0`)).toBe('0.1.0')
    const report = JSON.parse(run.outputs['report-json'])
    expect(report.injections[0]).toEqual({ role: 'version', variable: 'example.com/custom/internal/buildinfo.CustomVersion', injected: true })
    expect(report.version.replaced).toEqual({ variable: 'example.com/custom/internal/buildinfo.CustomVersion', value: 'unknown' })
    expect(run.summary).toContain("version `0.1.0` (no tag: it replaced the program's own `unknown` in `example.com/custom/internal/buildinfo.CustomVersion`)")
    docker('image', 'rm', `${image}:0.1.0`)
  })
})
