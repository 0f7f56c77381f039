import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FakeGitHub } from './github-fake.js'
import { checkoutPullRequest, git, pullRequestRunner, requireTools, runAction, startRegistry } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git', 'docker-registry'))

const MODULE = 'example.com/greeter'
const GREET = `package greet

func Hello(name string) string { return "Hello " + name }
`
// The head grows the package with a table of its own: 16 KiB of data the linker sizes as greet.table.
const GREET_GROWN = `package greet

var table = [4096]uint32{${Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 4294967291).join(', ')}}

func Hello(name string) string { return "Hello " + name }

func Lucky(name string) uint32 { return table[len(name)%len(table)] }
`
const main = (uses: { uuid: boolean; lucky: boolean }) => `package main

import (
	"fmt"
	"os"
${uses.uuid ? '\n\t"github.com/google/uuid"\n' : ''}
	"${MODULE}/internal/greet"
)

var Version, Build = "dev", "none"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("Version: %s\\nBuild: %s\\n", Version, Build)
		return
	}
	fmt.Println(greet.Hello("world"))${uses.lucky ? '\n\tfmt.Println(greet.Lucky(os.Args[0]))' : ''}${uses.uuid ? '\n\tfmt.Println(uuid.NewString())' : ''}
}
`

const go = (cwd: string, ...args: string[]) => execFileSync('go', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
}

// The web branch: a front-end bundle of 1 MB as a string and a static folder as an embed.FS (random bytes: no two alike).
const WEB_FILES = { bundle: 1_000_000, static: { 'app.css': 40_000, 'index.html': 2_000, 'img/logo.svg': 9_000 } }
const OWN_PACKAGES = Array.from({ length: 12 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`)

/** The greeter grown into a web app: an embedding package and a dozen packages of its own, all linked. */
function webApp(): Record<string, string> {
  const files: Record<string, string> = {
    'internal/web/web.go':
      'package web\n\nimport "embed"\n\n//go:embed bundle.js\nvar Bundle string\n\n//go:embed static\nvar Static embed.FS\n\nfunc Files() int {\n\tentries, _ := Static.ReadDir("static")\n\treturn len(entries) + len(Bundle)\n}\n',
    'cmd/greeter/main.go': `package main\n\nimport (\n\t"fmt"\n\n${[...OWN_PACKAGES, 'web'].map(p => `\t"${MODULE}/internal/${p}"`).join('\n')}\n)\n\nvar Version, Build = "dev", "none"\n\nfunc main() {\n\tfmt.Println(web.Files())\n${OWN_PACKAGES.map(p => `\tfmt.Println(${p}.Describe(7))`).join('\n')}\n}\n`
  }
  for (const p of OWN_PACKAGES)
    files[`internal/${p}/${p}.go`] =
      `package ${p}\n\nimport "fmt"\n\n// Not inlined: the package keeps code of its own in the binary.\n//\n//go:noinline\nfunc Describe(n int) string { return fmt.Sprintf("${p}: %d %x %q", n, n*31, "${p}") }\n`
  return files
}

// statik's generated package: the front-end as one string literal local to init, registered with its fs package.
const STATIK_LITERAL = 400_000

/** The greeter with statik's assets and a store whose Tx embeds *sql.Tx, used through an interface. */
function statikApp(): Record<string, string> {
  const literal = Array.from(randomBytes(STATIK_LITERAL), b => `\\x${b.toString(16).padStart(2, '0')}`).join('')
  return {
    'internal/statik/fs/fs.go':
      'package fs\n\nvar files = map[string]string{}\n\nfunc Register(data string) { files["default"] = data }\n\nfunc Size() int { return len(files["default"]) }\n',
    'internal/statik/statik.go': `package statik\n\nimport "${MODULE}/internal/statik/fs"\n\nfunc init() {\n\tdata := "${literal}"\n\tfs.Register(data)\n}\n`,
    'internal/store/tx.go':
      'package store\n\nimport (\n\t"context"\n\t"database/sql"\n\t"time"\n)\n\ntype Tx struct {\n\t*sql.Tx\n\tnow time.Time\n}\n\ntype Querier interface {\n\tExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)\n\tCommit() error\n}\n\nfunc Wrap(tx *sql.Tx) Querier { return &Tx{Tx: tx, now: time.Now()} }\n',
    'cmd/greeter/main.go': `package main\n\nimport (\n\t"fmt"\n\n\t_ "${MODULE}/internal/statik"\n\t"${MODULE}/internal/statik/fs"\n\t"${MODULE}/internal/store"\n)\n\nvar Version, Build = "dev", "none"\n\nfunc main() { fmt.Println(fs.Size(), store.Wrap(nil) != nil) }\n`
  }
}

/**
 * main: a module with cmd/greeter and a package of its own. grow: adds github.com/google/uuid from the module
 * proxy and grows the package. uuid-1.5 → uuid-1.6: the same code, only the module upgraded.
 */
function originRepository(): string {
  const origin = mkdtempSync(path.join(tmpdir(), 'origin-'))
  git(origin, 'init', '-q', '--bare', '-b', 'main')
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true')
  const work = mkdtempSync(path.join(tmpdir(), 'author-'))
  git(work, 'init', '-q', '-b', 'main')
  git(work, 'remote', 'add', 'origin', origin)
  const commit = (branch: string, message: string) => {
    git(work, 'add', '-A')
    git(work, 'commit', '-qm', message)
    git(work, 'push', '-q', 'origin', branch)
  }
  write(work, { 'go.mod': `module ${MODULE}\n\ngo 1.22\n`, 'internal/greet/greet.go': GREET, 'cmd/greeter/main.go': main({ uuid: false, lucky: false }) })
  commit('main', 'greeter')

  git(work, 'checkout', '-q', '-b', 'grow')
  write(work, { 'internal/greet/greet.go': GREET_GROWN, 'cmd/greeter/main.go': main({ uuid: true, lucky: true }) })
  go(work, 'get', 'github.com/google/uuid@v1.6.0')
  commit('grow', 'ids and lucky numbers')

  git(work, 'checkout', '-q', '-b', 'web', 'main')
  write(work, webApp())
  writeFileSync(path.join(work, 'internal/web/bundle.js'), randomBytes(WEB_FILES.bundle))
  for (const [name, bytes] of Object.entries(WEB_FILES.static)) {
    mkdirSync(path.dirname(path.join(work, `internal/web/static/${name}`)), { recursive: true })
    writeFileSync(path.join(work, `internal/web/static/${name}`), randomBytes(bytes))
  }
  commit('web', 'a front-end and a dozen packages')

  git(work, 'checkout', '-q', '-b', 'statik', 'main')
  write(work, statikApp())
  commit('statik', 'assets registered by a generated init, and a store wrapping *sql.Tx')

  git(work, 'checkout', '-q', '-b', 'uuid-1.5', 'main')
  write(work, { 'cmd/greeter/main.go': main({ uuid: true, lucky: false }) })
  go(work, 'get', 'github.com/google/uuid@v1.5.0')
  commit('uuid-1.5', 'ids')
  git(work, 'checkout', '-q', '-b', 'uuid-1.6')
  go(work, 'get', 'github.com/google/uuid@v1.6.0')
  commit('uuid-1.6', 'uuid 1.6.0')
  rmSync(work, { recursive: true, force: true })
  return origin
}

describe('why it grew: attribution in the pull request comment', () => {
  const api = new FakeGitHub()
  const origin = originRepository()
  beforeAll(() => api.start())
  afterAll(() => api.stop())

  const runPullRequest = pullRequestRunner(api, 'acme/greeter')

  it('names the new module with its version and share, and the package that grew', async () => {
    const run = await runPullRequest(checkoutPullRequest(origin, 31, 'main', 'grow'))
    expect(run.errors).toEqual([])
    const body = api.comments.get(31)![0].body
    writeFileSync(path.join(tmpdir(), 'go-slim-image-comment-attribution.md'), body)
    expect(body).toContain('<details><summary>Why the linux/amd64 binary changed: 1 module change</summary>')
    expect(body).toContain('| `github.com/google/uuid` | – | `v1.6.0` (added) |')
    const report = JSON.parse(run.outputs['report-json'])
    const [attribution] = report.attribution
    const uuid = attribution.rows.top.find((r: { key: string }) => r.key === 'github.com/google/uuid')
    // The module's own code is one row, like any dependency; its packages are under it.
    const own = attribution.rows.top.find((r: { key: string }) => r.key === MODULE)
    expect(own.kind).toBe('main')
    const greet = own.packages.find((r: { key: string }) => r.key === `${MODULE}/internal/greet`)
    // The table of 4096 uint32 is the package's growth, byte for byte at least.
    expect(greet.delta).toBeGreaterThanOrEqual(4096 * 4)
    expect(uuid).toMatchObject({ kind: 'module', version: 'v1.6.0', base: 0, isNew: true })
    expect(uuid.head).toBeGreaterThan(0)
    const share = ((uuid.head / attribution.head.binary) * 100).toFixed(1)
    expect(body).toMatch(
      new RegExp(`\\| \`github\\.com/google/uuid\` \`v1\\.6\\.0\` \\(new\\) \\| – \\| [\\d.]+ [KM]?i?B \\| \\+[\\d.]+ [KM]?i?B \\| ${share}% \\|`)
    )
    expect(body).toContain(`| \`${MODULE}/internal/greet\` |`)
    // The split is checked against the binary itself: the head's size is the stripped binary's file, and the new
    // module's version is the one Go recorded in it.
    expect(attribution.head.binary).toBe(statSync(run.outputs['binary-path']).size)
    expect(execFileSync('go', ['version', '-m', run.outputs['binary-path']], { encoding: 'utf8' })).toMatch(/\tdep\tgithub\.com\/google\/uuid\tv1\.6\.0\t/)
    expect(attribution.head.explained).toBeLessThan(attribution.head.binary)
    expect(body).toMatch(/[\d.]+ [KM]iB of its [\d.]+ MiB \((9\d|8[5-9])\.\d%\) is in a module, a package, the standard library or the runtime/)
    // The pull request's growth, placed the same way: at least 85% of it in rows of packages.
    const growth = attribution.head.binary - attribution.base.binary
    expect((attribution.head.explained - attribution.base.explained) / growth).toBeGreaterThanOrEqual(0.85)
  })

  it("statik's literal local to init counts for statik; the wrappers of *sql.Tx's methods for the store; every row a package of the build", async () => {
    const run = await runPullRequest(checkoutPullRequest(origin, 41, 'main', 'statik'))
    expect(run.errors).toEqual([])
    const [attribution] = JSON.parse(run.outputs['report-json']).attribution
    const own = attribution.rows.top.find((r: { kind: string }) => r.kind === 'main')
    const pkg = (key: string) => own.packages.find((r: { key: string }) => r.key === `${MODULE}/internal/${key}`)
    expect(pkg('statik').delta).toBeGreaterThanOrEqual(STATIK_LITERAL)
    expect(pkg('statik/fs').delta).toBeLessThan(STATIK_LITERAL / 10)
    expect(pkg('store').delta).toBeGreaterThan(0)
    // The packages the go command lists for the head's build: every row of the split is one of them, or a module.
    const listed = new Set(
      go(checkoutPullRequest(origin, 42, 'main', 'statik').workspace, 'list', '-deps', '-f', '{{.ImportPath}}', './cmd/greeter')
        .trim()
        .split('\n')
    )
    const headPackages = [...attribution.head.rows, ...own.packages.filter((p: { head: number }) => p.head > 0)]
    expect(headPackages.filter(row => row.kind === 'package' && !listed.has(row.key)).map(row => row.key)).toEqual([])
    expect(JSON.stringify(attribution.head.rows)).not.toMatch(/\.Tx|\(\*Tx\)/)
    // The growth is placed: the binary's change, nearly all of it in rows of packages.
    const growth = attribution.head.binary - attribution.base.binary
    expect((attribution.head.explained - attribution.base.explained) / growth).toBeGreaterThanOrEqual(0.85)
  })

  it('an embedded front-end is counted for its package and named in the headline; the module is one row', async () => {
    const run = await runPullRequest(checkoutPullRequest(origin, 37, 'main', 'web'))
    expect(run.errors).toEqual([])
    const body = api.comments.get(37)![0].body
    writeFileSync(path.join(tmpdir(), 'go-slim-image-comment-embedded.md'), body)
    const [attribution] = JSON.parse(run.outputs['report-json']).attribution
    const embedded = WEB_FILES.bundle + Object.values(WEB_FILES.static).reduce((sum, bytes) => sum + bytes, 0)
    const [top] = attribution.rows.top
    expect(top).toMatchObject({ key: MODULE, kind: 'main', embeddedDelta: embedded })
    expect(top.packages.map((p: { key: string }) => p.key)).toEqual(expect.arrayContaining(OWN_PACKAGES.map(p => `${MODULE}/internal/${p}`)))
    const web = top.packages.find((p: { key: string }) => p.key === `${MODULE}/internal/web`)
    expect(web).toMatchObject({ embeddedDelta: embedded, isNew: true })
    expect(web.delta).toBeGreaterThanOrEqual(embedded)
    // Counted once: by the variables that point at it, never again as embedded data beside them.
    expect(web.delta).toBeLessThan(embedded * 1.1)
    expect(body).toMatch(new RegExp(`^### .* · mostly embedded data in \`${MODULE}/internal/web\`, new`, 'm'))
    expect(body).toContain(`| \`${MODULE}\` (this module), embedded data +`)
    // A dozen new packages, web, the grown main package, and internal/greet, gone: its functions were inlined into the
    // base's main package, and their names are in the function table's inline trees.
    expect(body).toContain(`<details><summary>The packages of ${MODULE} that changed (15)</summary>`)

    // Without a base: the module's row, and its packages listed under it.
    const alone = await runAction(
      { image: 'acme/greeter', compare: 'off', 'smoke-test': '' },
      { workspace: checkoutPullRequest(origin, 38, 'main', 'web').workspace }
    )
    expect(alone.errors).toEqual([])
    const [split] = JSON.parse(alone.outputs['report-json']).attribution
    const own = split.head.rows.find((r: { kind: string }) => r.kind === 'main')
    expect(own).toMatchObject({ key: MODULE, embedded })
    expect(own.packages).toHaveLength(OWN_PACKAGES.length + 2)
    // One row among the largest (the runtime and the standard library, with their function tables, are the others).
    expect(split.head.rows.slice(0, 3)).toContainEqual(own)
    expect(alone.summary).toContain(`<details><summary>The 14 packages of ${MODULE}</summary>`)
    expect(alone.summary).toMatch(new RegExp(`\\| \`${MODULE}/internal/web\`, [\\d.]+ [KM]iB of it embedded data \\|`))
  })

  it('a head that only upgrades a module shows the version change', async () => {
    const run = await runPullRequest(checkoutPullRequest(origin, 32, 'uuid-1.5', 'uuid-1.6'), { upx: 'lzma' })
    expect(run.errors).toEqual([])
    const body = api.comments.get(32)![0].body
    expect(body).toContain('| `github.com/google/uuid` | `v1.5.0` | `v1.6.0` (upgraded) |')
    // UPX hides the build info: the split is of the binary before packing, and says so.
    expect(body).toContain('before UPX')
    const [attribution] = JSON.parse(run.outputs['report-json']).attribution
    expect(attribution.modules).toEqual([{ path: 'github.com/google/uuid', change: 'upgraded', from: 'v1.5.0', to: 'v1.6.0' }])
  })

  it('without a base, the details list the largest parts of the binary', async () => {
    const checkout = checkoutPullRequest(origin, 33, 'main', 'grow')
    const run = await runAction({ image: 'acme/greeter', compare: 'off' }, { workspace: checkout.workspace })
    expect(run.errors).toEqual([])
    expect(run.summary).toContain('What the linux/amd64 binary is made of')
    expect(run.summary).toMatch(/\| `github\.com\/google\/uuid` `v1\.6\.0` \| [\d.]+ [KM]?i?B \| \d+\.\d% \|/)
    expect(run.summary).toContain('| Go runtime |')
  })

  it('with baseline-image, module changes come from the published binary; a UPX-packed one says why not', async () => {
    const registry = await startRegistry()
    try {
      const base = checkoutPullRequest(origin, 34, 'uuid-1.5', 'uuid-1.5')
      const plain = `${registry.host}/acme/greeter:plain`
      const packed = `${registry.host}/acme/greeter:packed`
      expect((await runAction({ push: 'true', tags: plain }, { workspace: base.workspace })).code).toBe(0)
      expect((await runAction({ push: 'true', tags: packed, upx: 'lzma' }, { workspace: base.workspace })).code).toBe(0)

      const run = await runPullRequest(checkoutPullRequest(origin, 35, 'uuid-1.5', 'uuid-1.6'), { 'baseline-image': plain })
      expect(run.errors).toEqual([])
      const body = api.comments.get(35)![0].body
      expect(body).toContain('| `github.com/google/uuid` | `v1.5.0` | `v1.6.0` (upgraded) |')
      expect(body).toContain(
        'Not compared: where the bytes moved needs a rebuilt base (compare: build), or the measurement of its commit in the Actions cache: a published binary has no symbol table'
      )

      const upx = await runPullRequest(checkoutPullRequest(origin, 36, 'uuid-1.5', 'uuid-1.6'), { 'baseline-image': packed })
      expect(upx.errors).toEqual([])
      const said = api.comments.get(36)![0].body
      expect(said).not.toContain('(upgraded)')
      expect(said).toContain(
        "module changes and where the bytes moved need a rebuilt base (compare: build), or the measurement of its commit in the Actions cache: the base image's /usr/bin/greeter is packed by UPX"
      )
    } finally {
      await registry.stop()
    }
  })
})
