import { parseBuildInfo, symbolPackage } from '../../../src/build/buildinfo.js'
import { breakdown, fileBytes, ROW_LABELS, rowOf, withMainModule, type Breakdown, type SizeRow } from '../../../src/build/split.js'
import { attribute, compareRows, dominantRow, moduleChanges } from '../../../src/compare/changes.js'
import { mainCause, renderAttribution } from '../../../src/report/split.js'
import { parseNm } from '../nm.js'

// Recorded from a real build (go1.26.8, linux/amd64, -mod=vendor): cmd/shop of module example.com/shop, with
// github.com/google/uuid replaced by a local fork, the nested modules go.opentelemetry.io/otel and …/otel/trace,
// and gopkg.in/yaml.v3 (whose dot the linker writes as %2e). `go version -m` of the stripped binary:
const BUILD_INFO = `u: go1.26.8
\tpath\texample.com/shop/cmd/shop
\tmod\texample.com/shop\t(devel)\t
\tdep\tgithub.com/go-logr/logr\tv1.4.2\t
\tdep\tgithub.com/go-logr/stdr\tv1.2.2\t
\tdep\tgithub.com/google/uuid\tv1.5.0
\t=>\t./uuidfork\t(devel)\t
\t
\tdep\tgo.opentelemetry.io/otel\tv1.28.0\t
\tdep\tgo.opentelemetry.io/otel/metric\tv1.28.0\t
\tdep\tgo.opentelemetry.io/otel/trace\tv1.28.0\t
\tdep\tgopkg.in/yaml.v3\tv3.0.1\t
\tbuild\t-buildmode=exe
\tbuild\tCGO_ENABLED=0
`
// Lines of `go tool nm -size` of the unstripped twin, one or more per kind of row.
const NM = `  563cc0        410 T main.main
  7e3530         16 D main.version
  53fca0        150 T example.com/shop/internal/cart.Cart.YAML
  512b00        133 T github.com/google/uuid.NewString
  535f20       2557 T gopkg.in/yaml%2ev3.(*encoder).marshal
  563bc0        229 T go.opentelemetry.io/otel.Tracer
  561b80        214 T go.opentelemetry.io/otel/trace.SpanContextFromContext
  563540        741 T go.opentelemetry.io/otel/internal/global.(*tracer).Start
  5437e0       1016 T github.com/go-logr/stdr.NewWithOptions
  47fa20        377 T runtime.mallocgc
  7faec0      93464 D runtime.mheap_
  4c5f20        217 T fmt.Fprintln
  4dd8e0        564 T vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Start
  75c910     243288 r go:func.*
  5ae000          0 R type:*
  62d880         32 R go:itab.*go.opentelemetry.io/otel/internal/global.ErrDelegator,go.opentelemetry.io/otel/internal/global.ErrorHandler
  48f2a0         35 T type:.eq.[16]sync/atomic.Pointer[go.shape.struct { internal/sync.isEntry bool }]
  5918c0        135 T crypto/internal/fips140/ecdh.ECDH[go.shape.*crypto/internal/fips140/nistec.P256Point]
  616bb0          0 r go:string.*
  831000   33554432 D crypto/internal/fips140/drbg.memory
  401000          0 t runtime.text
                  U _cgo_panic
`
// readelf -l: the third segment's memory runs far past its file bytes (bss, noptrbss).
const LOADS = [
  { vaddr: 0x400000, filesz: 0x1ad711 },
  { vaddr: 0x5ae000, filesz: 0x1edba0 },
  { vaddr: 0x79c000, filesz: 0x053d40 }
]
const STRIPPED = 4128930

describe('build info', () => {
  it('reads the main package, the main module and every dependency with its replacement', () => {
    const info = parseBuildInfo(BUILD_INFO)
    expect(info.mainPackage).toBe('example.com/shop/cmd/shop')
    expect(info.mainModule).toBe('example.com/shop')
    expect(info.deps.map(d => d.path)).toEqual([
      'github.com/go-logr/logr',
      'github.com/go-logr/stdr',
      'github.com/google/uuid',
      'go.opentelemetry.io/otel',
      'go.opentelemetry.io/otel/metric',
      'go.opentelemetry.io/otel/trace',
      'gopkg.in/yaml.v3'
    ])
    expect(info.deps[2]).toEqual({ path: 'github.com/google/uuid', version: 'v1.5.0', replacedBy: './uuidfork (devel)' })
  })
})

describe('symbol → package', () => {
  it.each([
    ['main.main', 'main'],
    ['gopkg.in/yaml%2ev3.(*encoder).marshal', 'gopkg.in/yaml.v3'],
    ['go.opentelemetry.io/otel/internal/global.(*tracer).Start', 'go.opentelemetry.io/otel/internal/global'],
    ['crypto/internal/fips140/ecdh.ECDH[go.shape.*crypto/internal/fips140/nistec.P256Point]', 'crypto/internal/fips140/ecdh'],
    ['sync/atomic.(*Pointer[go.shape.struct { a/b.c int }]).Load', 'sync/atomic'],
    [
      'go:itab.*go.opentelemetry.io/otel/internal/global.ErrDelegator,go.opentelemetry.io/otel/internal/global.ErrorHandler',
      'go.opentelemetry.io/otel/internal/global'
    ],
    ['type:.eq.[16]sync/atomic.Pointer[go.shape.struct { internal/sync.isEntry bool }]', 'sync/atomic'],
    ['cmp..dict.Less[int]', 'cmp'],
    ['type:.eq.go.shape.struct { net/netip.isV6 bool; net/netip.zoneV6 string }', undefined],
    ['type:.eq.struct { a/b.c int; d/e.f string }', undefined],
    ['go:func.*', undefined],
    ['type:*', undefined],
    ['_rt0_amd64_linux', undefined]
  ])('%s is in %s', (symbol, pkg) => {
    expect(symbolPackage(symbol)).toBe(pkg)
  })
})

describe('package → row', () => {
  const info = parseBuildInfo(BUILD_INFO)
  it('gives the main module its packages, a dependency its module by the longest path prefix', () => {
    expect(rowOf('main', info)).toEqual({ key: 'example.com/shop/cmd/shop', kind: 'package' })
    expect(rowOf('example.com/shop/internal/cart', info)).toEqual({ key: 'example.com/shop/internal/cart', kind: 'package' })
    expect(rowOf('go.opentelemetry.io/otel/trace/embedded', info)).toMatchObject({ key: 'go.opentelemetry.io/otel/trace', version: 'v1.28.0' })
    expect(rowOf('go.opentelemetry.io/otel/internal/global', info)).toMatchObject({ key: 'go.opentelemetry.io/otel' })
    expect(rowOf('github.com/google/uuid', info)).toMatchObject({ kind: 'module', version: 'v1.5.0 => ./uuidfork (devel)' })
  })
  it('keeps the runtime apart from the standard library, whose vendored x/ packages are its own', () => {
    expect(rowOf('internal/runtime/maps', info).kind).toBe('runtime')
    expect(rowOf('vendor/golang.org/x/net/dns/dnsmessage', info).kind).toBe('std')
    expect(rowOf('crypto/tls', info).kind).toBe('std')
    expect(rowOf('example.org/unknown/pkg', info)).toEqual({ key: 'example.org/unknown/pkg', kind: 'module' })
  })
})

describe('the split of a recorded binary', () => {
  const split = breakdown(parseNm(NM), LOADS, parseBuildInfo(BUILD_INFO), STRIPPED)
  const bytes = (key: string) => split.rows.find(r => r.key === key)?.bytes

  it('sums each row from its symbols', () => {
    expect(bytes('example.com/shop/cmd/shop')).toBe(410 + 16)
    expect(bytes('example.com/shop/internal/cart')).toBe(150)
    expect(bytes('go.opentelemetry.io/otel')).toBe(229 + 741 + 32)
    expect(bytes('go.opentelemetry.io/otel/trace')).toBe(214)
    expect(bytes('gopkg.in/yaml.v3')).toBe(2557)
    expect(bytes('github.com/google/uuid')).toBe(133)
    expect(bytes(ROW_LABELS.std)).toBe(217 + 564 + 35 + 135)
    expect(bytes(ROW_LABELS.other)).toBe(243288)
  })
  it('counts no bss: runtime.mheap_ and the 32 MiB DRBG buffer take no bytes in the file', () => {
    expect(bytes(ROW_LABELS.runtime)).toBe(377)
    // What is placed in a package, the standard library or the runtime: a row of no package is not counted.
    expect(split.explained).toBe(split.rows.filter(r => r.kind !== 'other').reduce((sum, r) => sum + r.bytes, 0))
    expect(split.explained).toBeLessThan(STRIPPED)
    expect(split.rows[0].key).toBe(ROW_LABELS.other)
  })
  it('counts a symbol only for its bytes inside a file-backed range', () => {
    expect(fileBytes({ name: 'x', kind: 'D', size: 100, address: 0x79c000 + 0x053d40 - 40 }, LOADS)).toBe(40)
    expect(fileBytes({ name: 'x', kind: 'U', size: 0 }, LOADS)).toBe(0)
  })
})

const row = (key: string, bytes: number, kind: SizeRow['kind'] = 'module', version?: string): SizeRow => ({ key, kind, bytes, version })
const split = (binary: number, rows: SizeRow[], deps: Array<[string, string]>): Breakdown => ({
  binary,
  explained: rows.reduce((sum, r) => sum + r.bytes, 0),
  rows,
  info: { mainPackage: 'example.com/app', mainModule: 'example.com/app', deps: deps.map(([path, version]) => ({ path, version })) }
})

describe('what changed', () => {
  it('names modules added, removed, upgraded, downgraded and differently replaced', () => {
    const base = [
      { path: 'a.io/up', version: 'v1.2.0' },
      { path: 'a.io/down', version: 'v0.0.0-20240102000000-abcdefabcdef' },
      { path: 'a.io/gone', version: 'v1.0.0' },
      { path: 'a.io/same', version: 'v2.0.0+incompatible' },
      { path: 'a.io/fork', version: 'v1.0.0' }
    ]
    const head = [
      { path: 'a.io/up', version: 'v1.10.0' },
      { path: 'a.io/down', version: 'v0.0.0-20230102000000-abcdefabcdef' },
      { path: 'a.io/same', version: 'v2.0.0+incompatible' },
      { path: 'a.io/fork', version: 'v1.0.0', replacedBy: '../fork' },
      { path: 'a.io/new', version: 'v0.3.1' }
    ]
    expect(moduleChanges(base, head)).toEqual([
      { path: 'a.io/down', change: 'downgraded', from: 'v0.0.0-20240102000000-abcdefabcdef', to: 'v0.0.0-20230102000000-abcdefabcdef' },
      { path: 'a.io/fork', change: 'changed', from: 'v1.0.0', to: 'v1.0.0 => ../fork' },
      { path: 'a.io/gone', change: 'removed', from: 'v1.0.0' },
      { path: 'a.io/new', change: 'added', to: 'v0.3.1' },
      { path: 'a.io/up', change: 'upgraded', from: 'v1.2.0', to: 'v1.10.0' }
    ])
  })

  it('ranks rows by absolute change, sums the rest, marks new rows, and finds the one that explains most', () => {
    const base = split(1000, [row('example.com/app', 300, 'package'), row('std', 500, 'std'), ...Array.from({ length: 12 }, (_, i) => row(`m${i}`, 10))], [])
    const head = split(
      1900,
      [
        row('example.com/app', 340, 'package'),
        row('std', 560, 'std'),
        row('github.com/big/dep', 700, 'module', 'v1.2.3'),
        ...Array.from({ length: 12 }, (_, i) => row(`m${i}`, 10 + i + 1))
      ],
      [['github.com/big/dep', 'v1.2.3']]
    )
    const diff = compareRows(base, head)
    expect(diff.top.map(r => r.key).slice(0, 3)).toEqual(['github.com/big/dep', 'std', 'example.com/app'])
    expect(diff.top[0]).toMatchObject({ base: 0, head: 700, delta: 700, isNew: true, version: 'v1.2.3' })
    expect(diff.top).toHaveLength(10)
    // m11..m5 changed by 12..6 made the top; m4..m0 (5+4+3+2+1) are summed.
    expect(diff.rest).toEqual({ rows: 5, delta: 15 })
    expect(dominantRow(diff, 900)?.key).toBe('github.com/big/dep')
    expect(dominantRow(diff, 2000)).toBeUndefined()
    expect(dominantRow(diff, -900)).toBeUndefined()

    const a = attribute('linux/amd64', head, base)
    expect(a.modules).toEqual([{ path: 'github.com/big/dep', change: 'added', to: 'v1.2.3' }])
    expect(mainCause(a)).toBe(' · mostly `github.com/big/dep` `v1.2.3`, new')
    const out: string[] = []
    renderAttribution(a, false, out)
    const text = out.join('\n')
    expect(text).toContain('<details><summary>Why the linux/amd64 binary changed: 1 module change</summary>')
    expect(text).toContain('| `github.com/big/dep` | – | `v1.2.3` (added) |')
    expect(text).toContain('| `github.com/big/dep` `v1.2.3` (new) | – | 700 B | +700 B | 36.8% |')
    expect(text).toContain('| 5 more rows | | | +15 B | |')
    expect(text).toContain('1.76 KiB of its 1.86 KiB (94.6%) is in a module, a package, the standard library or the runtime')
    expect(text).toMatch(/^Binary \+[\d.]+ (B|KiB); \+[\d.]+ (B|KiB) of it \([\d.]+%\) is in the modules and packages below\.$/m)
  })

  it('without a base, shows the largest parts; with a base image, module changes and why bytes are not compared', () => {
    const head = split(10_000, [row('github.com/big/dep', 700, 'module', 'v1.2.3'), row('std', 5000, 'std')], [['github.com/big/dep', 'v1.2.3']])
    const out: string[] = []
    renderAttribution(attribute('linux/arm64', head), true, out)
    expect(out.join('\n')).toContain('What the linux/arm64 binary is made of')
    expect(out.join('\n')).toContain('before UPX')
    const imageOnly = attribute(
      'linux/arm64',
      head,
      undefined,
      { mainPackage: '', mainModule: '', deps: [{ path: 'github.com/big/dep', version: 'v1.2.0' }] },
      'needs a rebuilt base'
    )
    expect(imageOnly.modules).toEqual([{ path: 'github.com/big/dep', change: 'upgraded', from: 'v1.2.0', to: 'v1.2.3' }])
    expect(mainCause(imageOnly)).toBe('')
    const said: string[] = []
    renderAttribution(imageOnly, false, said)
    expect(said.join('\n')).toContain('Not compared: needs a rebuilt base.')
  })
})

describe('embedded data and the main module', () => {
  const info = parseBuildInfo('path\texample.com/app/cmd/app\nmod\texample.com/app\t(devel)\t\ndep\tgithub.com/ui/assets\tv1.0.0\n')
  const loads = [{ vaddr: 0x1000, filesz: 0x100000 }]
  const symbols = [
    { name: 'main.main', size: 400, kind: 'T', address: 0x1000 },
    { name: 'example.com/app/web.Page', size: 16, kind: 'D', address: 0x2000 },
    { name: 'example.com/app/web.Logo', size: 24, kind: 'D', address: 0x2010 },
    { name: 'example.com/app/web..gobytes.1', size: 5000, kind: 'd', address: 0x3000 },
    { name: 'example.com/app/internal/db.Open', size: 900, kind: 'T', address: 0x5000 },
    { name: 'github.com/ui/assets.FS', size: 8, kind: 'D', address: 0x6000 }
  ]
  const embedded = [
    { variable: 'example.com/app/web.Page', bytes: 1_300_000, sized: false },
    { variable: 'example.com/app/web.Logo', bytes: 5000, sized: true },
    { variable: 'github.com/ui/assets.FS', bytes: 70_000, sized: false }
  ]
  const split = breakdown(symbols, loads, info, 2_000_000, embedded)
  const find = (key: string) => split.rows.find(r => r.key === key)

  it('counts the data a variable points at for its package, once, and says how much of the row it is', () => {
    // web: its two headers, its gobytes symbol and the page no symbol sizes; the logo is that gobytes symbol, labelled, not added again.
    expect(find('example.com/app/web')).toEqual({ key: 'example.com/app/web', kind: 'package', bytes: 16 + 24 + 5000 + 1_300_000, embedded: 1_305_000 })
    expect(find('github.com/ui/assets')).toMatchObject({ kind: 'module', bytes: 8 + 70_000, embedded: 70_000 })
    expect(split.explained).toBe(400 + 5040 + 900 + 8 + 1_300_000 + 70_000)
  })

  it('shows the main module as one row, like any dependency, its packages under it', () => {
    const grouped = withMainModule(split)
    const own = grouped.rows.find(r => r.kind === 'main')
    expect(own).toMatchObject({ key: 'example.com/app', bytes: 400 + 5040 + 900 + 1_300_000, embedded: 1_305_000 })
    expect(own?.packages?.map(p => p.key)).toEqual(['example.com/app/web', 'example.com/app/internal/db', 'example.com/app/cmd/app'])
    expect(grouped.rows.some(r => r.kind === 'package')).toBe(false)
    expect(grouped.rows[0]).toBe(own)
    const out: string[] = []
    renderAttribution(attribute('linux/amd64', split), false, out)
    const text = out.join('\n')
    expect(text).toContain('| `example.com/app` (this module), 1.24 MiB of it embedded data | 1.25 MiB | 65.3% |')
    expect(text).toContain('<details><summary>The 3 packages of example.com/app</summary>')
    expect(text).toContain('| `example.com/app/web`, 1.24 MiB of it embedded data | 1.24 MiB | 65.3% |')
  })

  it('a pull request that embeds a front-end says so in the headline, naming the package that holds it', () => {
    const base = breakdown(symbols, loads, info, 700_000, embedded.slice(1))
    const a = attribute('linux/amd64', split, base)
    expect(a.rows?.top[0]).toMatchObject({ key: 'example.com/app', kind: 'main', delta: 1_300_000, embeddedDelta: 1_300_000 })
    expect(a.rows?.top[0].packages).toEqual([expect.objectContaining({ key: 'example.com/app/web', delta: 1_300_000 })])
    expect(mainCause(a)).toBe(' · mostly embedded data in `example.com/app/web`')
    const out: string[] = []
    renderAttribution(a, false, out)
    const text = out.join('\n')
    expect(text).toContain('| `example.com/app` (this module), embedded data +1.24 MiB | 6.19 KiB | 1.25 MiB | +1.24 MiB | 65.3% |')
    expect(text).toContain('<details><summary>The packages of example.com/app that changed (1)</summary>')
  })

  it('a base stored by package compares with the head by module all the same', () => {
    const grown = breakdown(
      [...symbols, { name: 'example.com/app/internal/db.Migrate', size: 3000, kind: 'T', address: 0x7000 }],
      loads,
      info,
      2_003_000,
      embedded
    )
    const a = attribute('linux/amd64', grown, split)
    expect(a.rows?.top).toEqual([expect.objectContaining({ key: 'example.com/app', kind: 'main', delta: 3000, embeddedDelta: 0 })])
    expect(mainCause(a)).toBe(' · mostly package `example.com/app/internal/db`')
  })
})
