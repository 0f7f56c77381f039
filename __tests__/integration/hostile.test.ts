/**
 * Inputs are data, the pull request's binary stays in the sandbox, the user's clone stays as it was: each attack
 * of the security review, tried at the user's door, and what it did (nothing) checked on the machine itself.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runPost } from '../../scripts/run-action.mjs'
import { FakeGitHub } from './github-fake.js'
import { docker, git, goModule, helloRepository, requireTools, runAction, type ActionRun } from './harness.js'

beforeAll(() => requireTools('go', 'upx', 'docker', 'git'))

/** A folder for what an attack would create: it must stay empty. */
const witness = () => mkdtempSync(path.join(tmpdir(), 'witness-'))

/** One clear error naming the input, and nothing built: the work folder is only made after every check. */
function refusedBeforeBuild(run: ActionRun, message: RegExp): void {
  expect(run.code).toBe(1)
  expect(run.errors).toHaveLength(1)
  expect(run.errors[0]).toMatch(message)
  expect(readdirSync(run.runnerTemp).filter(name => name.startsWith('go-slim-image-'))).toEqual([])
  expect(run.stdout).not.toMatch(/^\$ go build/m)
}

const containersOf = (run: ActionRun) => docker('ps', '--all', '--quiet', '--filter', `label=go-slim-image.run=${path.basename(run.state.workDir)}`)
/** Every container of the image, labelled or not: what a run that names its containers otherwise would leave. */
const containersFrom = (image: string) => docker('ps', '--all', '--quiet', '--filter', `ancestor=${image}:0.1.0`)
/** An image of the sleeper of its own: the ancestor filter matches every tag of an image ID, and the builds are reproducible. */
const sleeperInputs = (image: string, inputs: Record<string, string>) => ({ image, labels: `test=${image}`, 'smoke-test': 'serve', ...inputs })
// The smoke test's container is being started: the command that starts it is in the log.
const SMOKE_STARTING = /^\$ docker (start --attach|run) /m

describe('inputs stay data', () => {
  const hello = helloRepository()

  it('a newline in workdir cannot add Dockerfile instructions', async () => {
    const image = `slim-test/workdir-attack-${Date.now()}`
    const workdir = '/data\nUSER 0:0\nRUN ["/usr/bin/hello","version"]'
    const run = await runAction({ image, workdir }, { workspace: hello.dir })
    refusedBeforeBuild(run, /^Invalid input: workdir "\/data\nUSER 0:0.*" must be an absolute folder in the image/s)
    expect(docker('image', 'ls', '--quiet', image)).toBe('')
  })

  it.each([
    ['package', { package: '-toolexec=SCRIPT' }, /package "-toolexec=\S+" starts with "-", which go would read as a flag/],
    [
      'build-flags',
      { 'build-flags': '-tags netgo ./other -toolexec=SCRIPT' },
      /build-flags holds "\.\/other", which is not a flag: go would build it as a package/
    ]
  ])('a leading dash in %s never reaches go as a flag: the script does not run', async (_, inputs, message) => {
    const seen = witness()
    const script = path.join(seen, 'toolexec.sh')
    writeFileSync(script, `#!/bin/sh\ntouch ${seen}/ran\nexec "$@"\n`)
    chmodSync(script, 0o755)
    const given = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.replace('SCRIPT', script)]))
    const run = await runAction(given, { workspace: hello.dir })
    refusedBeforeBuild(run, message)
    expect(existsSync(path.join(seen, 'ran'))).toBe(false)
  })

  it('a base-ref that looks like a git option runs nothing', async () => {
    const origin = helloRepository('v1.0.0')
    const workspace = mkdtempSync(path.join(tmpdir(), 'clone-'))
    git(workspace, 'clone', '-q', origin.dir, '.')
    const seen = witness()
    const run = await runAction({ compare: 'build', 'base-ref': `--upload-pack=touch ${seen}/ran; git-upload-pack`, comment: 'false' }, { workspace })
    refusedBeforeBuild(run, /base-ref "--upload-pack=touch .*" starts with "-", which git would read as an option/)
    expect(readdirSync(seen)).toEqual([])
  })

  it('builder and the binary name cannot become flags or huge paths', async () => {
    const run = await runAction({ builder: '--debug', 'binary-name': 'b'.repeat(100_000), image: 'a'.repeat(100_000) }, { workspace: hello.dir })
    expect(run.code).toBe(1)
    const [error] = run.errors
    expect(error).toMatch(/builder "--debug" is not a builder name/)
    expect(error).toMatch(/binary-name is 100000 characters, over the 1024 it may have \(it starts "b{40}…"\)/)
    expect(error).toMatch(/image is 100000 characters, over the 1024 it may have \(it starts "a{40}…"\)/)
    expect(error.length).toBeLessThan(2000)
  })

  it('ldflags with an open quote names the input', async () => {
    refusedBeforeBuild(await runAction({ ldflags: "'abc" }, { workspace: hello.dir }), /ldflags has an unterminated ' quote in "'abc": close it or remove it/)
  })
})

describe('files reads only what the workspace really holds', () => {
  function workspaceWith(build: (dir: string) => void): string {
    const repo = helloRepository()
    build(repo.dir)
    return repo.dir
  }
  const outside = mkdtempSync(path.join(tmpdir(), 'outside-'))
  writeFileSync(path.join(outside, 'secret.txt'), "the runner's secret\n")

  it.each([
    [
      'a symlinked folder out of the workspace',
      (dir: string) => symlinkSync(outside, path.join(dir, 'lnk')),
      'lnk/secret.txt:/secret.txt',
      /files source "lnk\/secret\.txt" leads through a symlink to .*secret\.txt, outside the workspace/
    ],
    [
      'a symlink inside a copied folder that points out of it',
      (dir: string) => {
        mkdirSync(path.join(dir, 'conf'))
        symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'conf/secret.txt'))
      },
      'conf:/etc/conf',
      /files source "conf": secret\.txt is a symlink to .*secret\.txt, outside the folder/
    ],
    [
      'a FIFO inside a copied folder',
      (dir: string) => {
        mkdirSync(path.join(dir, 'conf'))
        execFileSync('mkfifo', [path.join(dir, 'conf/pipe')])
      },
      'conf:/etc/conf',
      /files source "conf": pipe is neither a file, a folder nor a symlink \(a FIFO, socket or device\)/
    ],
    [
      "a system file not every user may read (the runner's /etc/shadow)",
      () => undefined,
      '/etc/shadow:/etc/shadow',
      /files source "\/etc\/shadow": it is not readable by every user of the runner/
    ],
    [
      'a file over 2 GiB',
      (dir: string) => execFileSync('truncate', ['-s', '2300M', path.join(dir, 'big.bin')]),
      'big.bin:/big.bin',
      /files source "big\.bin": it is 2411724800 bytes, over the 2 GiB a file may have/
    ]
  ])('%s is refused before any build', async (_, build, files, message) => {
    const workspace = workspaceWith(build)
    refusedBeforeBuild(await runAction({ files }, { workspace }), message)
  })

  it('a workdir with .. is refused before it makes a folder anywhere', async () => {
    refusedBeforeBuild(
      await runAction({ workdir: '/data/../../../escape' }, { workspace: helloRepository().dir }),
      /workdir "\/data\/\.\.\/\.\.\/\.\.\/escape" must be/
    )
  })
})

describe('paths are data too', () => {
  it('a comma in RUNNER_TEMP stays part of the path buildx writes the image to', async () => {
    const runnerTemp = mkdtempSync(path.join(tmpdir(), 'runner,temp-'))
    const run = await runAction(
      { image: `slim-test/comma-${Date.now()}`, load: 'false' },
      { workspace: helloRepository().dir, env: { RUNNER_TEMP: runnerTemp } }
    )
    expect(run.code).toBe(0)
    expect(Number(run.outputs['image-size'])).toBeGreaterThan(100_000)
    expect(run.state.workDir.startsWith(runnerTemp)).toBe(true)
  })
})

describe("the user's clone stays as it was", () => {
  it('a base-ref fetched from origin leaves a full clone full, its refs, config and history untouched', async () => {
    const origin = helloRepository('v1.0.0')
    const workspace = mkdtempSync(path.join(tmpdir(), 'full-clone-'))
    git(workspace, 'clone', '-q', origin.dir, '.')
    // A branch the clone has not fetched: the base must come from origin.
    git(origin.dir, 'checkout', '-q', '-b', 'other')
    writeFileSync(path.join(origin.dir, 'other.go'), 'package main\n\nvar other = "other"\n')
    git(origin.dir, 'add', '-A')
    git(origin.dir, 'commit', '-qm', 'other')
    git(origin.dir, 'checkout', '-q', 'main')
    const before = { refs: git(workspace, 'for-each-ref'), config: readFileSync(path.join(workspace, '.git/config'), 'utf8') }

    const run = await runAction({ compare: 'build', 'base-ref': 'other', comment: 'false' }, { workspace })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/base commit [0-9a-f]{40}/)
    expect(JSON.parse(run.outputs['report-json']).baseline.images).toHaveLength(1)
    expect(existsSync(path.join(workspace, '.git/shallow'))).toBe(false)
    expect(existsSync(path.join(workspace, '.git/FETCH_HEAD'))).toBe(false)
    expect(git(workspace, 'for-each-ref')).toBe(before.refs)
    expect(readFileSync(path.join(workspace, '.git/config'), 'utf8')).toBe(before.config)
    expect(git(workspace, 'describe', '--abbrev=0', '--tags')).toBe('v1.0.0')
    expect(git(workspace, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1)
  })
})

describe("the pull request's binary runs only in the sandbox", () => {
  it('with UPX and a smoke test, it never runs on the runner: no host environment, no network, uid 65532', async () => {
    const seen = witness()
    const server = createServer(socket => socket.destroy())
    let connections = 0
    server.on('connection', () => connections++)
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    // What a hostile pull request's program does when it is run: leave a mark, phone home, print the environment.
    const dir = goModule({
      'go.mod': 'module example.com/hostile\n\ngo 1.22\n',
      'main.go': `package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	os.WriteFile(${JSON.stringify(path.join(seen, 'ran'))}, []byte("ran"), 0o644)
	if c, err := net.DialTimeout("tcp", "127.0.0.1:${port}", time.Second); err == nil {
		c.Close()
		fmt.Println("dialled the runner")
	}
	fmt.Println("uid", os.Getuid())
	for _, kv := range os.Environ() {
		fmt.Println("env", kv)
	}
}
`
    })
    git(dir, 'init', '-q')
    const run = await runAction(
      { upx: '1', 'smoke-test': 'version', image: `slim-test/hostile-${Date.now()}`, 'github-token': 'ghs_secret_token_of_the_job' },
      { workspace: dir, env: { ACTIONS_RUNTIME_TOKEN: 'runtime-secret', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret' } }
    )
    await new Promise<void>(resolve => server.close(() => resolve()))
    expect(run.code).toBe(0)
    const report = JSON.parse(run.outputs['report-json'])
    expect(report.smoke.stdout).toMatch(/^uid 65532$/m)
    expect(report.smoke.stdout).not.toMatch(/INPUT_|ACTIONS_|GITHUB_|RUNNER_|secret/)
    expect(report.smoke.stdout).not.toContain('dialled the runner')
    expect(connections).toBe(0)
    expect(readdirSync(seen)).toEqual([])
    // The start-up was timed all the same, in the sandbox: both binaries ran there.
    expect(report.binaries[0].startupPackedMs).toBeGreaterThan(0)
    expect(report.binaries[0].startupUnpackedMs).toBeGreaterThan(0)
    expect(report.binaries[0].startupRuns).toBeGreaterThanOrEqual(3)
    expect(run.summary).toMatch(/startup [\d.]+ ms unpacked → [\d.]+ ms packed \(median of \d+ runs each, in a container of the smoke test's sandbox\)/)
    expect(containersOf(run)).toBe('')
  })
})

describe('faults end the run whole', () => {
  const sleeper = goModule({
    'go.mod': 'module example.com/sleeper\n\ngo 1.22\n',
    'main.go': 'package main\n\nimport "time"\n\nfunc main() { time.Sleep(time.Hour) }\n'
  })

  it('a smoke-test-timeout shorter than the container start still ends the run, and no container stays', async () => {
    const started = Date.now()
    const image = `slim-test/sleeper-${Date.now()}`
    const run = await runAction(sleeperInputs(image, { 'smoke-test-timeout': '0.001' }), { workspace: sleeper })
    expect(run.code).toBe(1)
    expect(run.errors[0]).toContain('did not exit within 0.001s (smoke-test-timeout)')
    expect(Date.now() - started).toBeLessThan(60_000)
    expect(containersFrom(image)).toBe('')
  })

  it('SIGTERM during the smoke test removes its container', async () => {
    const image = `slim-test/sleeper-${Date.now()}`
    const run = await runAction(sleeperInputs(image, {}), { workspace: sleeper, signalWhen: { pattern: SMOKE_STARTING, delayMs: 500 } })
    expect(run.code).toBe(143)
    expect(containersFrom(image)).toBe('')
    // The program was ended by the cancel, not by a fault of its own: nothing says it failed with the kill's 137.
    expect(run.stdout).not.toMatch(/exited with 137/)
  })

  it('killed outright during the smoke test, the post step removes its container', async () => {
    const image = `slim-test/sleeper-${Date.now()}`
    const run = await runAction(sleeperInputs(image, {}), { workspace: sleeper, signalWhen: { pattern: SMOKE_STARTING, signal: 'SIGKILL', delayMs: 500 } })
    expect(run.code).toBe(-1)
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(containersOf(run)).not.toBe('')
    const post = await runPost(run, { workspace: sleeper })
    expect(post.code).toBe(0)
    expect(post.log).toMatch(/removed 1 container\(s\) left by the run/)
    expect(containersFrom(image)).toBe('')
  })

  it('SIGTERM during go build ends its compilers too, and leaves no go-build folder in TMPDIR', async () => {
    // A package of its own, so the build cache cannot answer and the compiler is running when the signal comes.
    const funcs = Array.from({ length: 20000 }, (_, i) => `func f${i}(x int) int { return x*${i} + ${Date.now() % 1000} }`).join('\n')
    const dir = goModule({
      'go.mod': 'module example.com/slow\n\ngo 1.22\n',
      'main.go': 'package main\n\nfunc main() { println(f1(2)) }\n',
      'gen.go': `package main\n\n${funcs}\n`
    })
    const tmp = mkdtempSync(path.join(tmpdir(), 'tmpdir-'))
    const run = await runAction({}, { workspace: dir, env: { TMPDIR: tmp }, signalWhen: { pattern: /^\$ go build/m, delayMs: 2000 } })
    expect(run.code).toBe(143)
    await new Promise(resolve => setTimeout(resolve, 500))
    const running = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter(line => [run.state.workDir, dir, tmp].some(text => line.includes(text)))
    expect(running).toEqual([])
    expect(readdirSync(tmp).filter(name => name.startsWith('go-build'))).toEqual([])
    expect(existsSync(run.state.workDir)).toBe(false)
  })
})

describe('errors name the cause and the input', () => {
  const hello = helloRepository()

  it('a broken Docker login file is named, not taken for a registry that is down', async () => {
    const config = mkdtempSync(path.join(tmpdir(), 'docker-config-'))
    writeFileSync(path.join(config, 'config.json'), '{"auths": {')
    const run = await runAction({ push: 'true', tags: '127.0.0.1:5999/acme/app:1' }, { workspace: hello.dir, env: { DOCKER_CONFIG: config } })
    refusedBeforeBuild(run, /127\.0\.0\.1:5999\/acme\/app: the Docker login file .*config\.json is not valid JSON \(.*\): fix or remove it, then log in again/)
    expect(run.errors[0]).not.toContain('cannot be reached')
  })

  it("a registry on a port Node's HTTP client refuses says so", async () => {
    const run = await runAction({ push: 'true', tags: '127.0.0.1:6000/acme/app:1' }, { workspace: hello.dir })
    refusedBeforeBuild(run, /127\.0\.0\.1:6000 is on a port that Node's HTTP client refuses to use .*: serve the registry on another port/)
  })

  it('an unreachable baseline-image says why it could not be read', async () => {
    const run = await runAction({ compare: 'build', 'baseline-image': '127.0.0.1:5997/acme/base:1', comment: 'false' }, { workspace: hello.dir })
    expect(run.code).toBe(0)
    expect(run.warnings).toContainEqual(
      expect.stringMatching(/^the baseline image 127\.0\.0\.1:5997\/acme\/base:1 could not be read: 127\.0\.0\.1:5997 cannot be reached \(ECONNREFUSED\)/)
    )
  })

  it('a malformed event file names GITHUB_EVENT_PATH', async () => {
    const event = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
    writeFileSync(event, 'not json')
    const run = await runAction({}, { workspace: hello.dir, env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event } })
    refusedBeforeBuild(run, /the event file GITHUB_EVENT_PATH \(.*event\.json\) is not valid JSON/)
  })
})

describe("reports stay under GitHub's limits whatever the program prints", () => {
  const api = new FakeGitHub()
  beforeAll(() => api.start())
  afterAll(() => api.stop())

  it('10 MB of smoke-test output: the summary, every output, the comment and the error stay within their limits, the verdict first', async () => {
    const dir = goModule({
      'go.mod': 'module example.com/loud\n\ngo 1.22\n',
      'main.go':
        'package main\n\nimport (\n\t"bytes"\n\t"os"\n)\n\nfunc main() {\n\tos.Stdout.Write(bytes.Repeat([]byte("help text, line after line\\n"), 400000))\n\tos.Exit(3)\n}\n'
    })
    git(dir, 'init', '-q', '-b', 'main')
    git(dir, 'add', '-A')
    git(dir, 'commit', '-qm', 'loud')
    const sha = git(dir, 'rev-parse', 'HEAD')
    const event = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
    writeFileSync(event, JSON.stringify({ number: 7, pull_request: { number: 7, base: { ref: 'main', sha }, head: { ref: 'x', sha } } }))
    // A passing report from an earlier run is there: it must give way to this run's failing one.
    api.comments.set(7, [
      { id: 1, body: '<!-- go-slim-image:default -->\nall good', user: { login: 'github-actions[bot]' }, html_url: 'https://github.test/c/1' }
    ])
    const run = await runAction(
      { 'smoke-test': 'help', compare: 'off', 'github-token': 'ghs_token', image: `slim-test/loud-${Date.now()}` },
      { workspace: dir, env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/loud' } }
    )
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/^smoke test: .* help exited with 3:\nhelp text, line after line/)
    expect(run.errors[0].length).toBeLessThan(3000)
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
    expect(run.summary).toMatch(/^### 📦 Go Slim Image: .*\n\n> \[!CAUTION\]\n> smoke test: /)
    const outputBytes = Object.values(run.outputs).reduce((sum, value) => sum + Buffer.byteLength(value), 0)
    expect(outputBytes).toBeLessThan(1024 * 1024)
    const [comment] = api.comments.get(7)!
    expect(comment.body.length).toBeLessThanOrEqual(65536)
    expect(comment.body).toContain('smoke test: ')
    expect(comment.body).not.toContain('all good')
  })
})
