import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  docker,
  fileInImage,
  git,
  goModule,
  helloRepository,
  isUpxPacked,
  ociLayoutOf,
  readOciImages,
  requireTools,
  runAction,
  type ActionRun
} from './harness.js'

beforeAll(() => requireTools('go', 'upx', 'docker', 'git'))

const hello = helloRepository()

/** One clear error, a failed step, and nothing built: the work folder is only made after every check. */
function expectCleanFailure(run: ActionRun, message: string | RegExp): void {
  expect(run.code).toBe(1)
  expect(run.errors).toHaveLength(1)
  expect(run.errors[0]).toMatch(message)
  expect(readdirSync(run.runnerTemp).filter(name => name.startsWith('go-slim-image-'))).toEqual([])
  expect(run.outputs.digest).toBeUndefined()
}

describe('bad input and missing tools fail early with one clear error', () => {
  it('no go on PATH', async () => {
    const withoutGo = (process.env.PATH ?? '')
      .split(':')
      .filter(dir => !existsSync(path.join(dir, 'go')))
      .join(':')
    expectCleanFailure(await runAction({}, { workspace: hello.dir, env: { PATH: withoutGo } }), /go is not on PATH: add actions\/setup-go/)
  })

  it.each([
    [{ upx: 'max' }, /upx "max" is not a level: use one of off, 1/],
    [{ platforms: 'linux/amd64,darwin/arm64' }, /unknown platform "darwin\/arm64"/],
    [{ 'final-stage': '' }, /final-stage is empty: use scratch-nonroot/],
    [{ package: './cmd/missing' }, /package "\.\/cmd\/missing" was not found .* set package to the folder of your main package/s],
    // Each of these used to pass the input check and fail only after the Go build, as a buildx dump.
    [{ expose: '99999' }, /expose "99999" is out of range: ports are 1 to 65535/],
    [
      { 'final-stage': 'registry.invalid/nobody/base:1' },
      /final-stage "registry\.invalid\/nobody\/base:1" is neither an image of this engine nor found in its registry/
    ],
    [{ tags: 'acme/app:1@sha256:' + 'a'.repeat(64) }, /holds a digest: a tag names what is pushed/],
    [{ provenance: 'bogus' }, /provenance "bogus" must be true, false, or key=value attributes like mode=max/],
    [{ annotations: 'index:org.opencontainers.image.description=x' }, /is for an image index, which one platform does not make/],
    [{ version: '1.0"beta' }, /version "1\.0"beta" may hold letters, digits and/],
    [{ 'smoke-test-timeout': '2147484' }, /smoke-test-timeout "2147484" is over 2147483 seconds/],
    [{ 'max-increase': 'abc' }, /max-increase "abc" is neither a percentage like 5% nor a size like 100KB/],
    [
      { labels: '#team=core\nno-equals\nok=1' },
      /label "#team=core": the key must start with a letter or digit.*\n- label "no-equals" is not of the form key=value/s
    ]
  ])('%j', async (inputs, message) => {
    expectCleanFailure(await runAction(inputs, { workspace: hello.dir }), message)
  })

  it('a package that is not main', async () => {
    const dir = goModule({ 'go.mod': 'module example.com/lib\n\ngo 1.22\n', 'lib.go': 'package lib\n\nfunc Two() int { return 2 }\n' })
    expectCleanFailure(await runAction({}, { workspace: dir }), /is package lib, not main/)
  })

  it('code that needs cgo', async () => {
    const dir = goModule({
      'go.mod': 'module example.com/cgo\n\ngo 1.22\n',
      'main.go': 'package main\n\n// int two() { return 2; }\nimport "C"\nimport "fmt"\n\nfunc main() { fmt.Println(C.two()) }\n'
    })
    expectCleanFailure(
      await runAction({}, { workspace: dir }),
      /needs cgo, which a static build \(CGO_ENABLED=0\) cannot use: example\.com\/cgo has import "C"/
    )
  })

  it('a generated file missing from the checkout (gitignored, made by //go:generate): the error says so', async () => {
    const dir = goModule({
      'go.mod': 'module example.com/wtf\n\ngo 1.22\n',
      '.gitignore': '*.ego.go\n',
      'http/html/html.go': 'package html\n\n//go:generate ego\n',
      'http/server.go': 'package http\n\nimport "example.com/wtf/http/html"\n\nfunc Login() string { return html.LoginTemplate }\n',
      'cmd/wtfd/main.go': 'package main\n\nimport "example.com/wtf/http"\n\nfunc main() { println(http.Login()) }\n'
    })
    const run = await runAction({}, { workspace: dir })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/undefined: html\.LoginTemplate/)
    expect(run.errors[0]).toMatch(/from example\.com\/wtf\/http\/html, which has \/\/go:generate directives: the files they generate may be missing/)
    expect(run.outputs.digest).toBeUndefined()
  })

  it('no Docker daemon', async () => {
    expectCleanFailure(await runAction({}, { workspace: hello.dir, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } }), /no Docker daemon answers/)
  })

  it('a buildx plugin that does not run', async () => {
    // The user's plugin folder comes first: a broken buildx there shadows the machine's, as a bad install would.
    const config = mkdtempSync(path.join(tmpdir(), 'brokenbuildx-'))
    mkdirSync(path.join(config, 'cli-plugins'))
    writeFileSync(path.join(config, 'cli-plugins', 'docker-buildx'), '#!/bin/sh\nexit 1\n')
    chmodSync(path.join(config, 'cli-plugins', 'docker-buildx'), 0o755)
    expectCleanFailure(
      await runAction({}, { workspace: hello.dir, env: { DOCKER_CONFIG: config } }),
      /docker buildx at \S+\/cli-plugins\/docker-buildx does not run \(failed to fetch metadata: exit status 1\): add docker\/setup-buildx-action/
    )
  })
})

describe('inputs are data, never shell', () => {
  it('ldflags with shell metacharacters reach the linker literally', async () => {
    const marker = path.join(tmpdir(), `pwned-${Date.now()}`)
    const image = `slim-test/literal-${Date.now()}`
    const run = await runAction(
      { ldflags: `-X 'main.Version=$(touch ${marker});echo \`id\`'`, image, tags: `${image}:t`, 'final-stage': 'scratch' },
      { workspace: hello.dir }
    )
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(existsSync(marker)).toBe(false)
    expect(docker('run', '--rm', `${image}:t`, 'version')).toContain(`Version: $(touch ${marker});echo \`id\``)
  })
})

describe('UPX declining a binary', () => {
  it('warns and ships the unpacked binary', async () => {
    const image = `slim-test/s390x-${Date.now()}`
    const run = await runAction({ platforms: 'linux/s390x', upx: '9', image }, { workspace: hello.dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.warnings.join('\n')).toMatch(/UPX did not pack the linux\/s390x binary \(UnknownExecutableFormatException/)
    const oci = ociLayoutOf(run)
    const [only] = readOciImages(oci)
    expect(only.platform).toBe('linux/s390x')
    const inImage = fileInImage(oci, only.manifest, 'usr/bin/hello')
    expect(isUpxPacked(inImage)).toBe(false)
    expect(inImage.length).toBe(Number(run.outputs['binary-size']))
  })
})

describe('smoke test', () => {
  const failing = goModule({
    'go.mod': 'module example.com/boom\n\ngo 1.22\n',
    'main.go':
      'package main\n\nimport (\n\t"fmt"\n\t"os"\n\t"time"\n)\n\nfunc main() {\n\tif len(os.Args) > 1 && os.Args[1] == "hang" {\n\t\ttime.Sleep(time.Hour)\n\t}\n\tfmt.Println("boom: config missing")\n\tos.Exit(3)\n}\n'
  })

  it('a failing run fails the step and shows what the program said', async () => {
    const run = await runAction({ 'smoke-test': 'version', image: `slim-test/boom-${Date.now()}` }, { workspace: failing })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/smoke test: .* version exited with 3:\nboom: config missing/)
    // The report is written all the same, with the failure first and what the program wrote.
    expect(run.summary).toMatch(/^### 📦 Go Slim Image: .*\n\n> \[!CAUTION\]\n> smoke test: /)
    expect(run.summary).toContain('boom: config missing')
    expect(Number(run.outputs['image-size'])).toBeGreaterThan(100_000)
    // Every command is logged once, by the action.
    expect(run.stdout).not.toContain('[command]')
    expect(run.stdout).toMatch(
      /^\$ docker create --name go-slim-image-\w+-smoke --label go-slim-image.run=go-slim-image-\w+ --platform linux\/amd64 --pull never --network none /m
    )
  })

  it('a run that does not exit is stopped at the timeout', async () => {
    const started = Date.now()
    const run = await runAction({ 'smoke-test': 'hang', 'smoke-test-timeout': '3', image: `slim-test/hang-${Date.now()}` }, { workspace: failing })
    expect(run.code).toBe(1)
    expect(run.errors[0]).toContain('did not exit within 3s (smoke-test-timeout)')
    expect(Date.now() - started).toBeLessThan(60000)
  })
})

describe('version from git', () => {
  it('a shallow clone without tags gets 0.1.0 and a warning saying how to fetch them', async () => {
    const shallow = mkdtempSync(path.join(tmpdir(), 'shallow-'))
    git(shallow, 'clone', '-q', '--depth=1', '--no-tags', `file://${hello.dir}`, '.')
    const run = await runAction({ image: `slim-test/shallow-${Date.now()}`, 'final-stage': 'scratch-nonroot' }, { workspace: shallow })
    expect(run.code).toBe(0)
    expect(run.outputs.version).toBe('0.1.0')
    expect(run.outputs.build).toBe(hello.sha)
    expect(run.warnings.join('\n')).toContain('fetch-depth: 0')
  })
})
