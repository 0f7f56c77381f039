import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { goBuildPlan, ldflags } from '../../../src/build/gobuild.js'
import { goListPlan } from '../../../src/build/golist.js'
import { tagFromRef } from '../../../src/build/version.js'
import { parsePlatform } from '../../../src/process/platform.js'
import { lowPriority } from '../../../src/process/runner.js'
import { readSettings } from '../../../src/settings/settings.js'
import { actionInputs } from '../inputs.js'

const moduleDir = mkdtempSync(path.join(tmpdir(), 'plans-'))
writeFileSync(path.join(moduleDir, 'go.mod'), 'module example.com/hello\n')
const settingsWith = (inputs: Record<string, string> = {}) =>
  readSettings(actionInputs(inputs), { GITHUB_WORKSPACE: moduleDir, GITHUB_REPOSITORY: 'Acme/Hello', GITHUB_SERVER_URL: 'https://github.com' })
const version = { version: 'v1.2.3', build: 'abc123', commitTime: 1700000000, origin: { kind: 'input' as const } }

describe('go build plan', () => {
  it('builds static, trimmed, stripped, with the version injected', () => {
    const settings = settingsWith({ ldflags: '-X main.Extra=1', 'build-flags': '-tags netgo' })
    const plan = goBuildPlan(settings.build, version, parsePlatform('linux/arm/v7'), '/out/hello')
    expect(plan).toEqual({
      program: 'go',
      args: [
        'build',
        '-trimpath',
        '-ldflags=-s -w -X main.Version=v1.2.3 -X main.Build=abc123 -X main.Extra=1',
        '-tags',
        'netgo',
        '-o',
        '/out/hello',
        '--',
        '.'
      ],
      env: { CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'arm', GOARM: '7' },
      cwd: moduleDir
    })
  })
  it('quotes a version with spaces so the linker reads one value', () => {
    expect(ldflags(settingsWith().build, { version: 'nightly build', build: 'x', origin: { kind: 'input' as const } }, 'none')).toBe(
      "-X 'main.Version=nightly build' -X main.Build=x"
    )
  })
  it('lists dependencies with the same build flags, so a separate tag value stays with its flag', () => {
    const plan = goListPlan(settingsWith({ 'build-flags': '-tags netgo -mod=vendor' }).build, parsePlatform('linux/amd64'))
    expect(plan.args.slice(0, 5)).toEqual(['list', '-deps', '-tags', 'netgo', '-mod=vendor'])
    expect(plan.args.at(-1)).toBe('.')
  })
  it('lists for the platform, and compiles nothing: the shipped link does', () => {
    const plan = goListPlan(settingsWith({ 'build-flags': '-tags netgo' }).build, parsePlatform('linux/arm64'))
    expect(plan.args).not.toContain('-export')
    expect(plan.env).toEqual({ CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'arm64' })
  })
  it('runs a plan at the lowest priority through nice, its argv unchanged', () => {
    const plan = goBuildPlan(settingsWith().build, { version: '1', build: 'x', origin: { kind: 'input' as const } }, parsePlatform('linux/amd64'), '/o', 'none')
    expect(lowPriority(plan)).toEqual({ ...plan, program: 'nice', args: ['-n', '19', 'go', ...plan.args] })
  })
  it('injects nothing into a variable said to be none', () => {
    expect(ldflags(settingsWith({ 'build-variable': 'none' }).build, { version: '1', build: 'x', origin: { kind: 'input' as const } }, 'full')).toBe(
      '-s -w -X main.Version=1'
    )
    expect(
      ldflags(
        settingsWith({ 'version-variable': 'none', 'build-variable': 'none' }).build,
        { version: '1', build: 'x', origin: { kind: 'input' as const } },
        'none'
      )
    ).toBe('')
  })
  it('links the base twin with its symbols but no DWARF', () => {
    expect(ldflags(settingsWith().build, { version: '1', build: 'x', origin: { kind: 'input' as const } }, 'symbols')).toBe(
      '-w -X main.Version=1 -X main.Build=x'
    )
  })
  it('lists dependencies with the same static environment', () => {
    const plan = goListPlan(settingsWith({ package: './cmd/api' }).build, parsePlatform('linux/amd64'))
    expect(plan.args.slice(0, 3)).toEqual(['list', '-deps', '-f'])
    expect(plan.args.at(-1)).toBe('./cmd/api')
    expect(plan.env).toMatchObject({ CGO_ENABLED: '0', GOOS: 'linux' })
  })
})

describe('version', () => {
  it('takes the version from a pushed tag', () => {
    expect(tagFromRef('refs/tags/v1.2.3')).toBe('v1.2.3')
    expect(tagFromRef('refs/heads/main')).toBeUndefined()
  })
})
