/**
 * What real projects do with their version (seen on public Go projects): a lower-case main.version, a version
 * package under cmd/NAME's module, or nothing at all (debug.ReadBuildInfo). The report must say what the binary
 * really carries, and the image's own binary must agree.
 */
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
    expect(run.summary).toContain('version `2.0.0` (not injected)')
  })

  it("a program that reports Go's own stamp (debug.ReadBuildInfo) is not warned of, and the stamp is in the image's binary", async () => {
    const repo = repository({
      'go.mod': 'module example.com/stamped\n\ngo 1.22\n',
      'main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"runtime/debug"\n)\n\nfunc main() {\n\tinfo, _ := debug.ReadBuildInfo()\n\tfor _, s := range info.Settings {\n\t\tif s.Key == "vcs.revision" {\n\t\t\tfmt.Println(s.Value)\n\t\t}\n\t}\n}\n'
    })
    const image = `slim-test/stamped-${unique()}`
    // A hosted runner's Go stamps the commit (this machine turns that off): the action must leave it on.
    const run = await runAction({ image, version: '2.0.0' }, { workspace: repo.dir, env: { GOFLAGS: '-buildvcs=auto' } })
    expect(run.errors).toEqual([])
    expect(run.warnings.filter(w => /not injected/.test(w))).toEqual([])
    expect(run.outputs['version-injected']).toBe('false')
    expect(run.stdout).toContain("The program reads Go's build info (runtime/debug.ReadBuildInfo)")
    expect(docker('run', '--rm', '--network', 'none', `${image}:2.0.0`)).toBe(repo.sha)
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
