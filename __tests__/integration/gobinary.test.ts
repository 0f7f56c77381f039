import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseBuildInfo } from '../../src/attribution.js'
import { elfBuildInfo, elfGoVersion, elfSymbols } from '../../src/gobinary.js'
import { parseNm } from '../unit/nm.js'
import { goModule, requireTools, ROOT } from './harness.js'

beforeAll(() => requireTools('go'))

const go = (cwd: string, env: Record<string, string>, ...args: string[]) =>
  execFileSync('go', args, { cwd, env: { ...process.env, CGO_ENABLED: '0', ...env }, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 })

/** A main module whose dependency is replaced by a local fork: the build info then has a `=>` line. */
function replacedModule(): string {
  const fork = goModule({
    'go.mod': 'module example.com/greet\n\ngo 1.22\n',
    'greet.go': 'package greet\n\nfunc Hello() string { return "hello from the fork" }\n'
  })
  return goModule({
    'go.mod': `module example.com/app\n\ngo 1.22\n\nrequire example.com/greet v1.4.0\n\nreplace example.com/greet => ${fork}\n`,
    'cmd/app/main.go': 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n'
  })
}

describe('the in-process reader of Go binaries agrees with the Go tools', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'gobinary-'))
  const cases = [
    ...['amd64', 'arm64', '386', 'arm'].map(arch => ({ name: `hello linux/${arch}`, dir: path.join(ROOT, 'examples/hello'), pkg: '.', arch })),
    { name: 'a replaced dependency', dir: replacedModule(), pkg: './cmd/app', arch: 'amd64' }
  ]

  it.each(cases)(
    '$name: every symbol as go tool nm -size lists it, the build info as go version -m prints it, the Go release as go version does',
    ({ name, dir, pkg, arch }) => {
      const unstripped = path.join(out, `${name.replace(/\W/g, '-')}-u`)
      const stripped = path.join(out, `${name.replace(/\W/g, '-')}-s`)
      go(dir, { GOOS: 'linux', GOARCH: arch }, 'build', '-trimpath', '-o', unstripped, pkg)
      go(dir, { GOOS: 'linux', GOARCH: arch }, 'build', '-trimpath', '-ldflags=-s -w', '-o', stripped, pkg)

      const line = (s: { address?: number; size: number; kind: string; name: string }) => `${s.address ?? '-'} ${s.size} ${s.kind} ${s.name}`
      const ours = elfSymbols(readFileSync(unstripped)).map(line).sort()
      const nm = parseNm(go(dir, {}, 'tool', 'nm', '-size', unstripped))
        .map(line)
        .sort()
      expect(ours.length).toBeGreaterThan(1000)
      expect(ours).toEqual(nm)
      expect(elfSymbols(readFileSync(stripped))).toEqual([])

      const info = elfBuildInfo(readFileSync(stripped))
      expect(info).toEqual(parseBuildInfo(go(dir, {}, 'version', '-m', stripped)))
      expect(info.mainPackage).not.toBe('')
      // `go version FILE` prints "FILE: go1.26.8": the release the binary itself records.
      expect(`${stripped}: ${elfGoVersion(readFileSync(stripped))}`).toBe(go(dir, {}, 'version', stripped).trim())
      if (name === 'a replaced dependency')
        expect(info.deps).toEqual([{ path: 'example.com/greet', version: 'v1.4.0', replacedBy: expect.stringContaining('gomod-') }])
    }
  )

  it('says a packed or foreign file has no build info', () => {
    expect(() => elfBuildInfo(readFileSync('/bin/sh'))).toThrow('no .go.buildinfo section')
    expect(() => elfBuildInfo(Buffer.from('#!/bin/sh\n'.repeat(10)))).toThrow('not an ELF file')
  })
})
