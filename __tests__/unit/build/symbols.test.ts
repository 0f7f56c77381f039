import { cgoCulprits, firstErrors, mainPackages } from '../../../src/build/golist.js'
import { heldToOutput, heldToSource, otherVersions } from '../../../src/build/claims.js'
import { candidates, firstWord, resolveTarget, splitSymbol, verifiesWithSystemRoots } from '../../../src/build/symbols.js'
import { parseNm } from '../nm.js'

// Lines as `go tool nm -size` prints them for an amd64 build of a module example.com/svc with a version package.
const NM = [
  '  578608          8 D main.Count',
  '  57d310         16 D main.version',
  '  582b80         16 B example.com/svc/internal/version.Commit',
  '  582b90         16 D example.com/svc/internal/version.Version',
  '  49e140        213 T main.main',
  '  5a0000         16 D github.com/other/lib.Version',
  '  5a0010         16 D runtime.buildVersion',
  '                  0 U _cgo_init'
].join('\n')
const symbols = parseNm(NM)
const own = ['example.com/svc/internal/version', 'example.com/svc']

describe('-X targets checked against the symbol table', () => {
  it('splits a symbol into its package path and identifier', () => {
    expect(splitSymbol('example.com/svc/internal/version.Version')).toEqual({ pkg: 'example.com/svc/internal/version', ident: 'Version' })
  })

  it('finds string variables of the main module only: not a dependency, not the runtime, not an int', () => {
    expect(candidates(symbols, 'version', own, 8)).toEqual(['main.version', 'example.com/svc/internal/version.Version'])
    expect(candidates(symbols, 'build', own, 8)).toEqual(['example.com/svc/internal/version.Commit'])
    expect(candidates(symbols, 'version', own, 4)).toEqual([])
  })

  it('a name that ends in Version (or Commit, SHA, …) is a candidate when no plain name is there', () => {
    const named = (...names: string[]) => names.map((name, i) => ({ name, size: 16, kind: 'D', address: 0x1000 + 16 * i }))
    const caddy = named('github.com/caddyserver/caddy/v2.CustomVersion', 'github.com/caddyserver/caddy/v2/modules/caddyhttp.ServerHeader')
    const caddyOwn = ['github.com/caddyserver/caddy/v2', 'github.com/caddyserver/caddy/v2/modules/caddyhttp']
    expect(candidates(caddy, 'version', caddyOwn, 8)).toEqual(['github.com/caddyserver/caddy/v2.CustomVersion'])
    const custom = resolveTarget(caddy, 'version', 'main.Version', caddyOwn, 8)
    expect(custom).toMatchObject({ variable: 'github.com/caddyserver/caddy/v2.CustomVersion', injected: true })
    expect(candidates(named('main.lastBuild', 'main.HeadRevision', 'main.imageSha'), 'build', [], 8)).toEqual([
      'main.lastBuild',
      'main.HeadRevision',
      'main.imageSha'
    ])
    expect(candidates(named('main.BuildCommit', 'main.gitSHA', 'main.lastBuild'), 'build', [], 8)).toEqual(['main.BuildCommit', 'main.gitSHA'])
    // A plain name wins over the endings; the version of an API, a protocol or Go is never the program's.
    expect(candidates(named('main.version', 'main.CustomVersion'), 'version', [], 8)).toEqual(['main.version'])
    expect(candidates(named('main.APIVersion', 'main.minGoVersion', 'main.protocol_version', 'main.DBVersion'), 'version', [], 8)).toEqual([])
    // "Versions" and "Builder" are other words.
    expect(candidates(named('main.SupportedVersions', 'main.ImageBuilder', 'main.Versioned'), 'version', [], 8)).toEqual([])
  })

  it('reads the first word of an identifier across its casing', () => {
    expect(['APIVersion', 'minGoVersion', 'db_version', 'Version', 'HTTPServerVersion'].map(firstWord)).toEqual(['api', 'min', 'db', 'version', 'http'])
  })

  it('an existing target is injected as asked', () => {
    expect(resolveTarget(symbols, 'version', 'main.version', own, 8)).toEqual({ role: 'version', variable: 'main.version', injected: true })
  })

  it('a missing target with one candidate goes to the candidate, and says so', () => {
    const build = resolveTarget(symbols, 'build', 'main.Build', own, 8)
    expect(build.variable).toBe('example.com/svc/internal/version.Commit')
    expect(build.injected).toBe(true)
    expect(build.note?.level).toBe('info')
    expect(build.note?.text).toContain('build-variable: example.com/svc/internal/version.Commit')
  })

  it('a missing target with several candidates is not injected: a warning names them and the input', () => {
    const version = resolveTarget(symbols, 'version', 'main.Version', own, 8)
    expect(version.injected).toBe(false)
    expect(version.note?.level).toBe('warning')
    expect(version.note?.text).toContain('main.version, example.com/svc/internal/version.Version')
    expect(version.note?.text).toContain('Set version-variable')
  })

  it('a variable said to be none is neither injected nor warned of', () => {
    expect(resolveTarget(symbols, 'build', 'none', own, 8)).toEqual({ role: 'build', variable: 'none', injected: false })
  })

  it("a program with no variable that reads its build info reports Go's own stamp: warned of, with none as the way out", () => {
    const plain = [{ name: 'main.main', size: 100, kind: 'T', address: 1 }]
    expect(resolveTarget(plain, 'version', 'main.Version', [], 8).note?.level).toBe('warning')
    expect(resolveTarget(plain, 'version', 'main.Version', [], 8).note?.text).toContain('or version-variable: none if it has none')
    const stamped = resolveTarget([...plain, { name: 'runtime/debug.ReadBuildInfo', size: 50, kind: 'T', address: 2 }], 'version', 'main.Version', [], 8)
    expect(stamped.injected).toBe(false)
    expect(stamped.note?.level).toBe('warning')
    expect(stamped.note?.text).toContain("reads Go's build info (runtime/debug.ReadBuildInfo)")
    expect(stamped.note?.text).toContain('Set version-variable: none if that is what you want')
  })

  it('an int of the asked name is not a string variable: the only string candidate of package main is used', () => {
    const version = resolveTarget(symbols, 'version', 'main.Count', [], 8)
    expect(version.variable).toBe('main.version')
    expect(version.note?.level).toBe('info')
  })
})

describe('who a failed build blames', () => {
  const sqlite = { importPath: 'github.com/mattn/go-sqlite3', dir: '/root/go/pkg/mod/github.com/mattn/go-sqlite3@v1.14.22' }
  const own = { importPath: 'example.com/app/ccode', dir: '/work/app/ccode' }

  it('names a cgo package only when the errors point at it', () => {
    expect(cgoCulprits('./main.go:12:20: undefined: schema', [sqlite, own])).toEqual([])
    expect(cgoCulprits('package example.com/app/ccode: build constraints exclude all Go files in /work/app/ccode', [sqlite, own])).toEqual([own])
    expect(cgoCulprits('./db.go:9:14: undefined: sqlite3.SQLiteConn', [sqlite, own])).toEqual([sqlite])
    expect(cgoCulprits('github.com/mattn/go-sqlite3@v1.14.22/x.go:3: undefined: C', [sqlite])).toEqual([sqlite])
  })

  it('shows the first errors whole, and how many lines follow', () => {
    const stderr = Array.from({ length: 30 }, (_, i) => `./main.go:${i + 1}:1: error ${i + 1}`).join('\n')
    const shown = firstErrors(stderr)
    expect(shown.split('\n')[0]).toBe('./main.go:1:1: error 1')
    expect(shown).toContain('./main.go:25:1: error 25')
    expect(shown).not.toContain('error 26')
    expect(shown.endsWith('… (5 more lines)')).toBe(true)
  })
})

describe('TLS with the system roots, from the symbols', () => {
  const names = (...list: string[]) => list.map(name => ({ name, size: 100, kind: 'T' }))
  const server = names('net/http.(*Server).Serve', 'crypto/tls.(*Conn).clientHandshake', 'crypto/x509.loadSystemRoots')

  it('a server that links the roots through net/http but never dials is fine on scratch', () => {
    expect(verifiesWithSystemRoots(server)).toBe(false)
  })
  it('an HTTP client or a TLS dialer trusting the system pool needs CA certificates', () => {
    expect(verifiesWithSystemRoots([...server, ...names('net/http.(*Transport).roundTrip')])).toBe(true)
    expect(verifiesWithSystemRoots([...server, ...names('crypto/tls.Client')])).toBe(true)
  })
  it('embedded roots need none', () => {
    expect(verifiesWithSystemRoots([...server, ...names('net/http.(*Transport).roundTrip', 'golang.org/x/crypto/x509roots/fallback.init.0')])).toBe(false)
  })
})

describe('main packages of a module', () => {
  it('are read from go list, relative to the module root', () => {
    const listing = ['example.com/m\tm\t/src/m', 'example.com/m/cmd/api\tmain\t/src/m/cmd/api', 'example.com/m/tools\tmain\t/src/m/tools', ''].join('\n')
    expect(mainPackages(listing, '/src/m')).toEqual(['./cmd/api', './tools'])
    expect(mainPackages('example.com/m\tmain\t/src/m', '/src/m')).toEqual(['.'])
  })
})

describe('injection held to the source and to what the program printed', () => {
  const injected = { role: 'version' as const, variable: 'main.version', injected: true }

  it('a variable func init assigns did not receive the version; the warning says where and names none', () => {
    const held = heldToSource(injected, { startup: 'init', constants: [] })
    expect(held.injected).toBe(false)
    expect(held.note?.level).toBe('warning')
    expect(held.note?.text).toContain('a func init of its package assigns it')
    expect(held.note?.text).toContain('version-variable: none')
    expect(heldToSource(injected, { startup: 'initializer', constants: [] }).note?.text).toContain('its declaration computes its value')
    expect(heldToSource(injected, { constants: [] })).toEqual(injected)
  })

  it('a constant where the variable was meant is named', () => {
    const missing = { role: 'version' as const, variable: 'main.Version', injected: false, note: { level: 'warning' as const, text: 'not injected.' } }
    const held = heldToSource(missing, { constants: ['example.com/app/version.Version'] })
    expect(held.note?.text).toMatch(/^not injected\. example\.com\/app\/version\.Version is a constant, which -X cannot set: .*var instead of const/)
    expect(held.injected).toBe(false)
  })

  it('reads the versions a program printed, but for Go release names and the injected one', () => {
    expect(otherVersions('app v1.4.2 (go1.26.0, linux/amd64)', '0.1.0')).toEqual(['v1.4.2'])
    expect(otherVersions('app 0.1.0 protocol 2.0.0', '0.1.0')).toEqual([])
    expect(otherVersions('app v0.1.0', '0.1.0')).toEqual([])
    expect(otherVersions('usage: app [flags]', '0.1.0')).toEqual([])
    expect(otherVersions('ip 10.0.0.1 built 1.2.3-rc.1+meta.', '0.1.0')).toEqual(['1.2.3-rc.1+meta'])
  })

  it('a smoke test printing another version takes the claim back, for the version only', () => {
    const held = heldToOutput(injected, 'app v1.4.2\n', 'v1.5.0-0.20261204-abc')
    expect(held.injected).toBe(false)
    expect(held.note?.text).toContain('printed v1.4.2, not the injected version v1.5.0-0.20261204-abc')
    expect(heldToOutput(injected, 'app v1.5.0\n', 'v1.5.0')).toEqual(injected)
    expect(heldToOutput({ ...injected, role: 'build' }, 'app v1.4.2\n', 'abc')).toEqual({ ...injected, role: 'build' })
  })
})
