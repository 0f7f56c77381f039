import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { withMainPackage } from '../../../src/settings/build.js'
import { defaultBinaryName, findGoMods } from '../../../src/settings/modules.js'
import { InputError } from '../../../src/settings/reading.js'
import { isImageReference } from '../../../src/settings/references.js'
import { readSettings } from '../../../src/settings/settings.js'
import { actionInputs } from '../inputs.js'

const moduleDir = mkdtempSync(path.join(tmpdir(), 'settings-'))
writeFileSync(path.join(moduleDir, 'go.mod'), 'module github.com/acme/shop-api/v2\n\ngo 1.22\n')

function settingsFrom(inputs: Record<string, string>) {
  return readSettings(actionInputs(inputs), { GITHUB_WORKSPACE: moduleDir, RUNNER_TEMP: '/tmp/runner' })
}

function problemsOf(inputs: Record<string, string>): string[] {
  try {
    settingsFrom(inputs)
  } catch (error) {
    if (error instanceof InputError) return error.problems
    throw error
  }
  return []
}

/** The problem readSettings reports for a workspace whose root has no go.mod. */
function readSettingsProblem(workspace: string): string {
  try {
    readSettings(actionInputs({}), { GITHUB_WORKSPACE: workspace })
  } catch (error) {
    if (error instanceof InputError) return error.problems.join('\n')
    throw error
  }
  return ''
}

describe('readSettings', () => {
  it('gives working defaults with no inputs at all', () => {
    const s = settingsFrom({})
    expect(s.build.workingDirectory).toBe(moduleDir)
    expect(s.build.binaryName).toBe('shop-api')
    expect(s.build.platforms.map(p => p.id)).toEqual(['linux/amd64'])
    expect(s.pack.upx).toBe('off')
    expect(s.stage.finalStage).toEqual({ kind: 'scratch-nonroot', nonroot: true })
    expect(s.publish.image).toBe('shop-api')
    expect(s.publish.load).toBe(true)
    expect(s.build.versionVariable).toBe('main.Version')
    expect(s.runnerTemp).toBe('/tmp/runner')
  })

  it('parses lists the way docker/metadata-action writes them', () => {
    const s = settingsFrom({
      platforms: 'linux/amd64, linux/arm64\nlinux/arm',
      tags: 'ghcr.io/acme/shop:1.2.3\nghcr.io/acme/shop:latest',
      labels: 'org.opencontainers.image.title=shop, the API\norg.opencontainers.image.licenses=MIT'
    })
    expect(s.build.platforms.map(p => p.id)).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7'])
    expect(s.publish.tags).toEqual(['ghcr.io/acme/shop:1.2.3', 'ghcr.io/acme/shop:latest'])
    expect(s.stage.labels).toEqual([
      ['org.opencontainers.image.title', 'shop, the API'],
      ['org.opencontainers.image.licenses', 'MIT']
    ])
  })

  it('maps the distroless names', () => {
    expect(settingsFrom({ 'final-stage': 'distroless-static-nonroot' }).stage.finalStage).toEqual({
      kind: 'image',
      base: 'gcr.io/distroless/static-debian12:nonroot',
      nonroot: true
    })
    expect(settingsFrom({ 'final-stage': 'alpine:3.20' }).stage.finalStage).toEqual({ kind: 'image', base: 'alpine:3.20', nonroot: false })
  })

  it('keeps shell metacharacters as literal flag text', () => {
    const s = settingsFrom({ 'build-flags': `-tags 'netgo osusergo' '-gcflags=$(rm -rf /);echo' -x` })
    expect(s.build.buildFlags).toEqual(['-tags', 'netgo osusergo', '-gcflags=$(rm -rf /);echo', '-x'])
  })

  it.each([
    [{ upx: 'max' }, 'upx "max" is not a level'],
    [{ platforms: 'windows/amd64' }, 'unknown platform "windows/amd64"'],
    [{ platforms: ' ' }, 'platforms is empty'],
    [{ platforms: 'linux/amd64,linux/x86_64' }, 'platforms lists linux/amd64 twice'],
    [{ 'final-stage': '' }, 'final-stage is empty'],
    [{ 'final-stage': 'Not An Image' }, 'is neither scratch'],
    [{ 'working-directory': 'nowhere' }, 'does not exist'],
    [{ 'binary-name': '../evil' }, 'must be a plain file name'],
    [{ expose: '80/http' }, 'expose "80/http"'],
    [{ workdir: 'data' }, 'must be an absolute folder in the image'],
    [{ tags: 'UPPER/case:1' }, 'tag "UPPER/case:1"'],
    [{ labels: 'no-equals-sign' }, 'is not of the form key=value'],
    [{ load: 'maybe' }, 'load must be true or false'],
    [{ ldflags: "-X 'main.Version=1" }, 'unterminated'],
    [{ 'build-flags': '-o /tmp/x' }, 'build-flags must not set -o'],
    [{ 'version-variable': 'Version' }, 'must name a package-level string variable'],
    [{ 'smoke-test-timeout': '0' }, 'smoke-test-timeout'],
    [{ image: 'Bad Name' }, 'is not a valid repository name']
  ])('refuses %j', (inputs, message) => {
    const problems = problemsOf(inputs as Record<string, string>)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(message)
  })

  it('takes none for a variable the program does not have', () => {
    const s = settingsFrom({ 'version-variable': 'none', 'build-variable': 'none' })
    expect([s.build.versionVariable, s.build.buildVariable]).toEqual(['none', 'none'])
    expect(problemsOf({ 'build-variable': 'None' })[0]).toContain('or be none')
  })

  it('reports every problem at once', () => {
    const problems = problemsOf({ upx: 'max', platforms: 'plan9/386', 'final-stage': '' })
    expect(problems).toHaveLength(3)
    expect(() => settingsFrom({ upx: 'max', platforms: 'plan9/386' })).toThrow(/Invalid inputs:\n- unknown platform/)
  })

  it('names each module below a folder without go.mod, with its main packages when package must be set too', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'monorepo-'))
    const file = (name: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
      writeFileSync(path.join(root, name), text)
    }
    file('services/api/go.mod', 'module example.com/api\n')
    file('services/api/cmd/serve/main.go', '// Copyright\n\n//go:build linux\n\npackage main\n')
    file('services/api/cmd/migrate/main.go', 'package main\n')
    file('services/api/cmd/migrate/main_test.go', 'package main\n')
    file('services/api/internal/db/db.go', 'package db\n')
    file('services/api/testdata/fixture/main.go', 'package main\n')
    file('services/worker/go.mod', 'module example.com/worker\n')
    file('services/worker/main.go', 'package main\n')
    file('tools/go.mod', 'module example.com/tools\n')
    file('tools/lint/lint.go', 'package lint\n')
    const problem = readSettingsProblem(root)
    expect(problem).toContain(
      'set working-directory to the module root, one of "services/api" (main packages ./cmd/migrate, ./cmd/serve: set package to one of them too), ' +
        '"services/worker", "tools" (no main package found)'
    )
  })

  it('refuses a folder without go.mod', () => {
    const empty = mkdtempSync(path.join(moduleDir, 'nomod-'))
    expect(problemsOf({ 'working-directory': empty })[0]).toContain('has no go.mod')
  })

  it('refuses a working-directory outside the workspace, like actions/checkout refuses such a path', () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'elsewhere-'))
    writeFileSync(path.join(elsewhere, 'go.mod'), 'module example.com/elsewhere\n\ngo 1.22\n')
    expect(problemsOf({ 'working-directory': elsewhere })).toEqual([expect.stringMatching(/^working-directory ".*elsewhere-.*" is outside the workspace/)])
    expect(problemsOf({ 'working-directory': '../..' })[0]).toMatch(/is outside the workspace/)
  })
})

describe('names', () => {
  it.each([
    ['github.com/acme/tool', 'tool'],
    ['github.com/acme/tool/v3', 'tool'],
    ['hello', 'hello']
  ])('binary name of %s is %s', (modulePath, name) => expect(defaultBinaryName(modulePath)).toBe(name))

  it.each(['scratch', 'alpine', 'ghcr.io/acme/app:1.0', 'localhost:5000/a/b:tag', 'gcr.io/distroless/static-debian12@sha256:' + 'a'.repeat(64)])(
    'accepts the reference %s',
    ref => expect(isImageReference(ref)).toBe(true)
  )
  it.each(['', 'UPPER', 'a b', 'repo:', 'repo:-bad'])('refuses the reference %j', ref => expect(isImageReference(ref)).toBe(false))
})

describe('the main package found in preflight', () => {
  it('names the binary and the default image after it, as go build names it', () => {
    const s = withMainPackage(settingsFrom({}), { package: './cmd/served', importPath: 'github.com/acme/shop-api/v2/cmd/served' })
    expect([s.build.package, s.build.binaryName, s.publish.image]).toEqual(['./cmd/served', 'served', 'served'])
  })
  it('keeps a binary name and an image that were given', () => {
    const s = withMainPackage(settingsFrom({ 'binary-name': 'api', image: 'acme/api' }), { package: './cmd/served', importPath: 'x/cmd/served' })
    expect([s.build.binaryName, s.publish.image]).toEqual(['api', 'acme/api'])
  })
})

describe('go.mod files below a folder', () => {
  it('are found a few levels down, vendor and hidden folders skipped', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mods-'))
    for (const dir of ['services/api', 'services/worker', 'vendor/x', '.cache/y', 'tools']) {
      mkdirSync(path.join(root, dir), { recursive: true })
      writeFileSync(path.join(root, dir, 'go.mod'), 'module x\n')
    }
    expect(findGoMods(root).map(dir => path.relative(root, dir))).toEqual(['services/api', 'services/worker', 'tools'])
  })
})

describe('push-by-digest', () => {
  it('pushes to the image by digest, with push and no tags', () => {
    const settings = settingsFrom({ image: 'ghcr.io/acme/shop', push: 'true', 'push-by-digest': 'true' })
    expect(settings.publish).toMatchObject({ push: true, byDigest: true, tags: [] })
  })

  it('says what to change: push as well, no tags, the repository named', () => {
    expect(problemsOf({ image: 'ghcr.io/acme/shop', 'push-by-digest': 'true' })).toEqual([
      'push-by-digest is true but push is false: set push: true as well (push-by-digest only says how to push)'
    ])
    expect(problemsOf({ image: 'ghcr.io/acme/shop', push: 'true', 'push-by-digest': 'true', tags: 'ghcr.io/acme/shop:1' })).toEqual([
      'push-by-digest pushes to image by digest only, untagged, so tags (ghcr.io/acme/shop:1) would be ignored: leave tags empty; the job that merges the digests tags the index'
    ])
    expect(problemsOf({ push: 'true', 'push-by-digest': 'true' })).toEqual([
      'push-by-digest needs image: the repository the digests go to, like ghcr.io/owner/app'
    ])
    expect(problemsOf({ image: 'ghcr.io/acme/shop', push: 'true', 'push-by-digest': 'yes please' })[0]).toContain('push-by-digest')
  })
})
