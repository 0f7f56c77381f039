import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseBuildInfo } from '../../src/build/buildinfo.js'
import { readElf } from '../../src/build/elf.js'
import { buildInfoReader } from '../../src/build/buildinfo-stream.js'
import { embeddedData } from '../../src/build/embedded.js'
import { elfBuildInfo, elfGoVersion, elfSymbols } from '../../src/build/gobinary.js'
import { placeUnsized } from '../../src/build/placement.js'
import { breakdown } from '../../src/build/split.js'
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
      // Read as it streams past, in pieces of any size: the same build info, the same release.
      const bytes = readFileSync(stripped)
      for (const piece of [13, 4093, 65536]) {
        const reader = buildInfoReader()
        for (let at = 0; at < bytes.length; at += piece) reader.update(bytes.subarray(at, at + piece))
        const streamed = reader.result()
        expect('missing' in streamed ? streamed : parseBuildInfo(streamed.modules)).toEqual(info)
        expect('goVersion' in streamed && streamed.goVersion).toBe(elfGoVersion(bytes))
      }
      if (name === 'a replaced dependency')
        expect(info.deps).toEqual([{ path: 'example.com/greet', version: 'v1.4.0', replacedBy: expect.stringContaining('gomod-') }])
    }
  )

  it('says a packed or foreign file has no build info', () => {
    expect(() => elfBuildInfo(readFileSync('/bin/sh'))).toThrow('no .go.buildinfo section')
    const shell = buildInfoReader()
    shell.update(readFileSync('/bin/sh'))
    expect(shell.result()).toEqual({ missing: true, packed: false })
    expect(() => elfBuildInfo(Buffer.from('#!/bin/sh\n'.repeat(10)))).toThrow('not an ELF file')
  })
})

/** A web app's embedded front-end: a 1 MB file as a string, an embed.FS folder, a []byte file, a long literal. */
function embeddingModule(): { dir: string; files: Record<string, number> } {
  const dir = goModule({
    'go.mod': 'module example.com/webapp\n\ngo 1.22\n',
    'web/web.go': [
      'package web',
      '',
      'import "embed"',
      '',
      '//go:embed bundle.js',
      'var Bundle string',
      '',
      '//go:embed static',
      'var Static embed.FS',
      '',
      '//go:embed logo.png',
      'var Logo []byte',
      '',
      `var Banner = "${'='.repeat(2000)}"`,
      '',
      'var Name = "webapp"',
      ''
    ].join('\n'),
    'cmd/webapp/main.go':
      'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/webapp/web"\n)\n\nfunc main() {\n\tentries, _ := web.Static.ReadDir("static")\n\tfmt.Println(len(web.Bundle), len(entries), len(web.Logo), web.Banner, web.Name)\n}\n'
  })
  // Random bytes: no two files share content, so the linker merges none of them.
  const random = (bytes: number) => Buffer.from(Array.from({ length: bytes }, () => Math.floor(Math.random() * 256)))
  const files: Record<string, number> = {
    'web/bundle.js': 1_000_000,
    'web/static/app.css': 40_000,
    'web/static/img/a.svg': 3000,
    'web/static/index.html': 700,
    'web/logo.png': 20_000
  }
  for (const [name, bytes] of Object.entries(files)) {
    execFileSync('mkdir', ['-p', path.dirname(path.join(dir, name))])
    writeFileSync(path.join(dir, name), random(bytes))
  }
  return { dir, files }
}

describe('embedded data, read from the variables that hold it', () => {
  const { dir, files } = embeddingModule()
  const out = mkdtempSync(path.join(tmpdir(), 'embedded-'))

  it.each(['amd64', 'arm', 'arm64', '386'])('linux/%s: the file, the tree and the literal by their own sizes, the []byte as the symbol it is', arch => {
    const binary = path.join(out, `webapp-${arch}`)
    go(dir, { GOOS: 'linux', GOARCH: arch }, 'build', '-trimpath', '-o', binary, './cmd/webapp')
    const elf = readFileSync(binary)
    const found = embeddedData(elf, elfSymbols(elf), readElf(elf).loads)
    const own = found.filter(d => d.variable.startsWith('example.com/webapp/')).sort((a, b) => a.variable.localeCompare(b.variable))
    expect(own).toEqual([
      { variable: 'example.com/webapp/web.Banner', bytes: 2000, sized: false },
      { variable: 'example.com/webapp/web.Bundle', bytes: files['web/bundle.js'], sized: false },
      { variable: 'example.com/webapp/web.Logo', bytes: files['web/logo.png'], sized: true },
      {
        variable: 'example.com/webapp/web.Static',
        bytes: files['web/static/app.css'] + files['web/static/img/a.svg'] + files['web/static/index.html'],
        sized: false
      }
    ])
  })
})

describe("a base image's binary is read in bounded memory", () => {
  it('1.5 GiB of a binary stream past its build info with the process growing by a few megabytes', async () => {
    const { scanLayer } = await import('../../src/image/verify.js')
    const tar = (await import('tar-stream')).default
    const { Readable } = await import('node:stream')
    const built = path.join(mkdtempSync(path.join(tmpdir(), 'big-binary-')), 'hello')
    go(path.join(ROOT, 'examples/hello'), {}, 'build', '-trimpath', '-ldflags=-s -w', '-o', built, '.')
    const binary = readFileSync(built)
    const zeros = 1.5 * 1024 ** 3
    // The layer as a registry serves it, made as it is read: the binary with 1.5 GiB of zeros after it.
    const layer = () => {
      const pack = tar.pack()
      const entry = pack.entry({ name: 'usr/bin/hello', size: binary.length + zeros }, () => undefined)
      void (async () => {
        entry.write(binary)
        const block = Buffer.alloc(4 * 1024 * 1024)
        for (let left = zeros; left > 0; left -= block.length) {
          if (!entry.write(block.subarray(0, Math.min(block.length, left)))) await new Promise<void>(resolve => entry.once('drain', () => resolve()))
        }
        entry.end(Buffer.alloc(0))
        pack.finalize()
      })()
      return Readable.from(pack)
    }
    global.gc?.()
    const before = process.memoryUsage().rss
    let peak = before
    const sampling = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const { found } = await scanLayer({ open: layer, compression: 'none' }, { file: '/usr/bin/hello', read: buildInfoReader })
    clearInterval(sampling)
    expect(found && 'goVersion' in found && found.goVersion).toBe(elfGoVersion(binary))
    // The bound SECURITY.md states: the build info's 4 MiB, a layer's chunks in flight, nothing of the file's size.
    expect(peak - before).toBeLessThan(200 * 1024 * 1024)
  }, 120_000)
})

// Entries of the fixture's table (8 bytes each).
const TABLE = 6000

/**
 * A service's shapes that no symbol sizes: statik's generated init registering a front-end as one string literal
 * local to the function, a type embedding *sql.Tx used through an interface (its promoted methods' wrappers), and the
 * usual function table, type descriptors and strings of every package.
 */
function servedModule(literal: number): string {
  const hex = Array.from(
    { length: literal },
    () =>
      `\\x${Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, '0')}`
  ).join('')
  return goModule({
    'go.mod': 'module example.com/served\n\ngo 1.22\n',
    'statik/fs/fs.go':
      'package fs\n\nvar zipData = map[string]string{}\n\nfunc Register(data string) { zipData["default"] = data }\n\nfunc Size() int { return len(zipData["default"]) }\n',
    'statik/statik.go': `package statik\n\nimport "example.com/served/statik/fs"\n\nfunc init() {\n\tdata := "${hex}"\n\tfs.Register(data)\n}\n`,
    'sqlite/tx.go': [
      'package sqlite',
      '',
      'import (',
      '\t"context"',
      '\t"database/sql"',
      '\t"time"',
      ')',
      '',
      '// Tx wraps a transaction with the time it began, the way WTF and many services do.',
      'type Tx struct {',
      '\t*sql.Tx',
      '\tnow time.Time',
      '}',
      '',
      'type Querier interface {',
      '\tExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)',
      '\tCommit() error',
      '\tRollback() error',
      '}',
      '',
      'func Wrap(tx *sql.Tx) Querier { return &Tx{Tx: tx, now: time.Now()} }',
      ''
    ].join('\n'),
    // A table as a composite literal: its backing array is file-local data the linker leaves out of the symbol table.
    'tables/tables.go': `package tables\n\nvar Table = []uint64{${Array.from({ length: TABLE }, (_, i) => i * 7919).join(', ')}}\n\nfunc At(i int) uint64 { return Table[i%len(Table)] }\n`,
    'cmd/served/main.go': [
      'package main',
      '',
      'import (',
      '\t"fmt"',
      '\t"net/http"',
      '',
      '\t"example.com/served/sqlite"',
      '\t"example.com/served/tables"',
      '\t"example.com/served/statik/fs"',
      '\t_ "example.com/served/statik"',
      ')',
      '',
      'func main() {',
      '\tq := sqlite.Wrap(nil)',
      '\tfmt.Println(fs.Size(), q != nil, tables.At(len(fmt.Sprint(q))))',
      '\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })',
      '}',
      ''
    ].join('\n')
  })
}

describe('every byte placed: the function table, type descriptors and strings by package', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'placed-'))
  const literal = 300_000
  const served = servedModule(literal)
  const cases = [
    ...['amd64', 'arm64'].flatMap(arch => [
      { name: `hello linux/${arch}`, dir: path.join(ROOT, 'examples/hello'), pkg: '.', arch },
      { name: `api linux/${arch}`, dir: path.join(ROOT, 'examples/api'), pkg: '.', arch },
      { name: `served linux/${arch}`, dir: served, pkg: './cmd/served', arch }
    ])
  ]

  it.each(cases)('$name: at least 85% of the stripped binary in rows of real packages of the build', ({ name, dir, pkg, arch }) => {
    const env = { GOOS: 'linux', GOARCH: arch }
    const [twin, shipped] = ['u', 's'].map(suffix => path.join(out, `${name.replace(/\W/g, '-')}-${suffix}`))
    go(dir, env, 'build', '-trimpath', '-o', twin, pkg)
    go(dir, env, 'build', '-trimpath', '-ldflags=-s -w', '-o', shipped, pkg)
    const known = new Set(go(dir, env, 'list', '-deps', '-f', '{{.ImportPath}}', pkg).trim().split('\n'))
    const elf = readFileSync(twin)
    const [symbols, loads] = [elfSymbols(elf), readElf(elf).loads]
    const placement = placeUnsized(elf, symbols, loads, known)
    const binary = readFileSync(shipped)
    const split = breakdown(symbols, loads, elfBuildInfo(binary), binary.length, embeddedData(elf, symbols, loads), { placement, known })
    expect(split.binary).toBe(binary.length)
    expect(split.explained / split.binary).toBeGreaterThanOrEqual(0.85)
    // Nothing counted twice: the rows, those of no package too, fit in the binary.
    expect(split.rows.reduce((sum, r) => sum + r.bytes, 0)).toBeLessThanOrEqual(split.binary)
    // A row names a package the go command lists for this build, or a module of its build info.
    const modules = new Set(split.info.deps.map(d => d.path))
    for (const row of split.rows.filter(r => r.kind === 'package' || r.kind === 'module')) {
      expect(known.has(row.key) || modules.has(row.key)).toBe(true)
    }
    // The function table (runtime.pclntab to runtime.epclntab, as go tool nm places them) is charged whole but for its
    // header, padding and runtime.findfunctab (a runtime symbol, counted as one).
    const functions = placement.charges.find(c => c.part === 'functions')!
    const charged = [...functions.byPackage.values()].reduce((sum, b) => sum + b, 0)
    const nm = go(dir, {}, 'tool', 'nm', '-size', twin)
    const at = (symbol: string) => nm.match(new RegExp(`^\\s*([0-9a-f]+)\\s+(\\d+)\\s+\\w ${symbol.replace(/[.*]/g, '\\$&')}$`, 'm'))!
    const table = parseInt(at('runtime.epclntab')[1], 16) - parseInt(at('runtime.pclntab')[1], 16) - Number(at('runtime.findfunctab')[2])
    expect(charged).toBeLessThanOrEqual(table)
    expect(charged).toBeGreaterThanOrEqual(0.97 * table)
    if (name.startsWith('served')) {
      const row = (key: string) => split.rows.find(r => r.key === key)
      // The literal local to statik's init counts for statik, not for fs, which keeps it in a map at run time.
      expect(row('example.com/served/statik')!.bytes).toBeGreaterThanOrEqual(literal)
      expect(row('example.com/served/statik/fs')?.bytes ?? 0).toBeLessThan(literal)
      // The table's hidden backing array counts for its package.
      expect(row('example.com/served/tables')!.bytes).toBeGreaterThanOrEqual(8 * TABLE)
      // The promoted methods of *sql.Tx wrapped for Tx count for sqlite; no row is named after a wrapper.
      expect(row('example.com/served/sqlite')!.bytes).toBeGreaterThan(0)
      expect(split.rows.filter(r => /\.Tx|\(\*Tx\)/.test(r.key))).toEqual([])
    }
  })
})
