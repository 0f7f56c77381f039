/**
 * Real projects and cgo: github.com/mattn/go-sqlite3 (from the module proxy) builds without cgo into a stub that
 * fails at run time; a project that needs `go generate` first must be shown its compiler errors, not told to
 * replace go-sqlite3.
 */
import { execFileSync } from 'node:child_process'
import { docker, goModule, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git'))

const SQLITE = 'github.com/mattn/go-sqlite3@v1.14.22'

function withSqlite(files: Record<string, string>): string {
  const dir = goModule({ 'go.mod': 'module example.com/notes\n\ngo 1.22\n', ...files })
  execFileSync('go', ['get', SQLITE], { cwd: dir, stdio: 'ignore', env: process.env })
  return dir
}

const OPEN =
  'package main\n\nimport (\n\t"database/sql"\n\t"fmt"\n\n\t_ "github.com/mattn/go-sqlite3"\n)\n\nfunc main() {\n\tdb, err := sql.Open("sqlite3", ":memory:")\n\tif err == nil {\n\t\terr = db.Ping()\n\t}\n\tfmt.Println(err)\n}\n'

describe('cgo in dependencies', () => {
  it('go-sqlite3 builds to a stub without cgo: a warning names it and the pure-Go way out', async () => {
    const dir = withSqlite({ 'main.go': OPEN })
    const image = `slim-test/notes-${Date.now()}`
    const run = await runAction({ image, version: '1.0.0' }, { workspace: dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const warning = run.warnings.find(w => w.includes('cgo files that the static build'))
    expect(warning).toContain('github.com/mattn/go-sqlite3 has cgo files')
    expect(warning).toContain('modernc.org/sqlite')
    expect(run.summary).toContain('github.com/mattn/go-sqlite3 has cgo files')
    // The warning is right: the image's binary is the stub.
    expect(docker('run', '--rm', '--network', 'none', `${image}:1.0.0`)).toContain('requires cgo to work')
    docker('image', 'rm', `${image}:1.0.0`)
  })

  it('a build that fails for another reason shows the compiler errors and does not blame cgo', async () => {
    const dir = withSqlite({
      'main.go': OPEN.replace('fmt.Println(err)', 'fmt.Println(err, schema)'),
      // schema.go would come from `go generate`; it is missing, as in a fresh checkout.
      'gen.go': 'package main\n\n//go:generate sh -c "echo package main; echo var schema = 1" > schema.go\n'
    })
    const run = await runAction({ version: '1.0.0' }, { workspace: dir })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/^go build failed for linux\/amd64/)
    expect(run.errors[0]).toContain('undefined: schema')
    expect(run.errors[0]).not.toContain('needs cgo')
    expect(run.errors[0]).not.toContain('modernc')
  })
})
