import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { BOT, FakeGitHub, TOKEN_KINDS } from './github-fake.js'
import {
  checkoutPullRequest,
  git,
  ociLayoutOf,
  readOciImages,
  registryWire,
  requireTools,
  ROOT,
  runAction,
  pullRequestRunner,
  startRegistry
} from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git', 'docker-registry'))

const MARKER = '<!-- go-slim-image:default -->'

/** An origin with main and the pull requests' branches, served to clones by commit id as GitHub does. */
function originRepository(): string {
  const origin = mkdtempSync(path.join(tmpdir(), 'origin-'))
  git(origin, 'init', '-q', '--bare', '-b', 'main')
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true')
  const work = mkdtempSync(path.join(tmpdir(), 'author-'))
  cpSync(path.join(ROOT, 'examples/hello'), work, { recursive: true })
  // main serves XML too, so that a pull request can shrink the binary by dropping it.
  writeFileSync(
    path.join(work, 'xml.go'),
    'package main\n\nimport (\n\t"encoding/xml"\n\t"net/http"\n)\n\nfunc init() {\n\thttp.HandleFunc("/xml", func(w http.ResponseWriter, r *http.Request) { _ = xml.NewEncoder(w).Encode(struct{ Hello string }{"world"}) })\n}\n'
  )
  git(work, 'init', '-q', '-b', 'main')
  git(work, 'remote', 'add', 'origin', origin)
  git(work, 'add', '-A')
  git(work, 'commit', '-qm', 'hello with xml')
  git(work, 'push', '-q', 'origin', 'main')

  git(work, 'checkout', '-q', '-b', 'grow')
  mkdirSync(path.join(work, 'internal/page'), { recursive: true })
  writeFileSync(
    path.join(work, 'internal/page/page.go'),
    'package page\n\nimport (\n\t"html/template"\n\t"io"\n)\n\nvar page = template.Must(template.New("p").Parse("<h1>Hello {{.}}</h1>"))\n\nfunc Render(w io.Writer, name string) error { return page.Execute(w, name) }\n'
  )
  writeFileSync(
    path.join(work, 'page.go'),
    'package main\n\nimport (\n\t"net/http"\n\n\t"github.com/go-slim-image/hello/internal/page"\n)\n\nfunc init() {\n\thttp.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) { _ = page.Render(w, r.URL.Query().Get("name")) })\n}\n'
  )
  git(work, 'add', '-A')
  git(work, 'commit', '-qm', 'add an HTML page package')
  git(work, 'push', '-q', 'origin', 'grow')

  git(work, 'checkout', '-q', '-b', 'shrink', 'main')
  git(work, 'rm', '-q', 'xml.go')
  git(work, 'commit', '-qm', 'drop xml')
  git(work, 'push', '-q', 'origin', 'shrink')

  git(work, 'checkout', '-q', '-b', 'broken', 'main')
  writeFileSync(path.join(work, 'xml.go'), 'package main\n\nthis does not compile\n')
  git(work, 'commit', '-qam', 'break the build')
  git(work, 'push', '-q', 'origin', 'broken')
  git(work, 'checkout', '-q', '-b', 'fix', 'broken')
  git(work, 'rm', '-q', 'xml.go')
  git(work, 'commit', '-qm', 'fix the build')
  git(work, 'push', '-q', 'origin', 'fix')

  // A repository that had no Go yet: the pull request adds the module.
  git(work, 'checkout', '-q', '--orphan', 'docs-only')
  git(work, 'rm', '-rqf', '.')
  writeFileSync(path.join(work, 'README.md'), '# hello\n')
  git(work, 'add', 'README.md')
  git(work, 'commit', '-qm', 'docs first')
  git(work, 'push', '-q', 'origin', 'docs-only')
  git(work, 'checkout', '-q', '-b', 'first-module')
  cpSync(path.join(ROOT, 'examples/hello'), work, { recursive: true })
  git(work, 'add', '-A')
  git(work, 'commit', '-qm', 'the first Go module')
  git(work, 'push', '-q', 'origin', 'first-module')
  rmSync(work, { recursive: true, force: true })
  return origin
}

describe('pull request comparison against the base branch', () => {
  const api = new FakeGitHub()
  const origin = originRepository()
  beforeAll(() => api.start())
  afterAll(() => api.stop())

  const runPullRequest = pullRequestRunner(api, 'acme/hello')
  const comments = (issue: number) => api.comments.get(issue) ?? []

  it('growth past max-increase fails the check after updating the marker comment on page 3', async () => {
    api.seed(7, 250, i => (i === 230 ? { body: `${MARKER}\nold report`, user: { login: BOT } } : i === 10 ? { body: `${MARKER}\nsomeone quoting it` } : {}))
    const ours = comments(7)[230].id
    // A server error on the first page, and a secondary rate limit on the update: both retried.
    api.faults.push({ method: 'GET', path: /\/issues\/7\/comments$/, status: 500, message: 'Server Error', times: 1 })
    api.faults.push({
      method: 'PATCH',
      path: /\/issues\/comments\//,
      status: 403,
      headers: { 'retry-after': '1' },
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      times: 1
    })
    const before = api.requests.length

    const run = await runPullRequest(checkoutPullRequest(origin, 7, 'main', 'grow'), { 'max-increase': '1%' })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/^Size budget broken:\nlinux\/amd64: the image grew by .* over max-increase 1%/)
    expect(run.outputs.gate).toBe('fail')
    expect(Number(run.outputs['size-delta'])).toBeGreaterThan(0)
    // The base's own OCI output, read here: the figure compared against is the base image's manifest.
    const [base] = readOciImages(path.join(path.dirname(ociLayoutOf(run)), 'base/oci'))
    const baseWire = base.manifest.config.size + base.manifest.layers.reduce((sum, l) => sum + l.size, 0)
    expect(Number(run.outputs['base-image-size'])).toBe(baseWire)
    expect(Number(run.outputs['size-delta'])).toBe(Number(run.outputs['image-size']) - baseWire)

    const requests = api.requests.slice(before)
    expect(requests.filter(r => r.method === 'GET' && r.path.includes('page=3'))).not.toHaveLength(0)
    expect(requests.filter(r => r.method === 'POST' && r.path !== '/graphql')).toEqual([])
    expect(requests.filter(r => r.method === 'PATCH').map(r => r.path)).toEqual([
      `/repos/acme/hello/issues/comments/${ours}`,
      `/repos/acme/hello/issues/comments/${ours}`
    ])
    expect(comments(7)).toHaveLength(250)
    expect(comments(7)[10].body).toBe(`${MARKER}\nsomeone quoting it`)
    const body = comments(7)[230].body
    expect(body.startsWith(`${MARKER}\n`)).toBe(true)
    expect(body).toContain('📈')
    expect(body).toMatch(/Compared with base commit \[`[0-9a-f]{12}`\]\(https:\/\/github\.com\/acme\/hello\/commit\/[0-9a-f]{40}\), rebuilt in this run\./)
    expect(body).toContain('**Size budget** (max-increase 1%): ❌ fail')
    expect(run.outputs['comment-id']).toBe(String(ours))
    // The depth-1 checkout has no tags: the head and the base both notice; it is said once, and in the comment.
    const shallow = run.warnings.filter(w => w.startsWith('No tag is reachable in this shallow clone'))
    expect(shallow).toHaveLength(1)
    expect(body).toContain(shallow[0])
    // Kept for a human to read: the comment as GitHub would show it.
    writeFileSync(path.join(tmpdir(), 'go-slim-image-comment-grow.md'), body)
  })

  it('a shrinking change passes, and a second run leaves the comment alone', async () => {
    const checkout = checkoutPullRequest(origin, 8, 'main', 'shrink')
    const run = await runPullRequest(checkout, { 'max-increase': '1%', 'max-size': '20MB' })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.gate).toBe('pass')
    expect(Number(run.outputs['size-delta'])).toBeLessThan(0)
    expect(comments(8)).toHaveLength(1)
    expect(comments(8)[0].body).toContain('📉')
    expect(run.outputs['comment-id']).toBe(String(comments(8)[0].id))

    const writesBefore = api.writes().length
    const first = comments(8)[0].body
    const again = await runPullRequest(checkout, { 'max-increase': '1%', 'max-size': '20MB' })
    expect(again.code).toBe(0)
    // Said first: a failure shows the line that changed, not only that the comment was written.
    expect(comments(8)[0].body).toEqual(first)
    expect(api.writes().slice(writesBefore)).toEqual([])
    expect(comments(8)).toHaveLength(1)
  })

  it('a base that does not build is reported; the relative budget is skipped, the step passes', async () => {
    const run = await runPullRequest(checkoutPullRequest(origin, 9, 'broken', 'fix'), { 'max-increase': '1%' })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.gate).toBe('skipped')
    expect(run.warnings.join('\n')).toMatch(/the base \([0-9a-f]{12}\) could not be built/)
    expect(comments(9)[0].body).toContain('No baseline: the base')
    // The compiler's own words, collapsed under the note.
    expect(comments(9)[0].body).toMatch(/<summary>Why the base did not build<\/summary>\n\n```text\n[^`]*xml\.go:3/)
    expect(run.outputs['base-image-size']).toBe('')
  })

  it('a base without go.mod says the module is new; the relative budget is skipped, the step passes', async () => {
    const run = await runPullRequest(checkoutPullRequest(origin, 16, 'docs-only', 'first-module'), { 'max-increase': '1%' })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.gate).toBe('skipped')
    const said = run.warnings.filter(w => w.includes('has no go.mod'))
    expect(said).toHaveLength(1)
    expect(said[0]).toContain('the module is new in this change')
    const body = comments(16)[0].body
    expect(body).toMatch(/No baseline: the base \([0-9a-f]{12}\) could not be built: the base commit has no go\.mod/)
    // Not a compiler failure: no compiler output, and no advice to set package.
    expect(body).not.toContain('Why the base did not build')
    expect(body).not.toContain('set package')
    expect(run.outputs['base-image-size']).toBe('')
  })

  it('a fork token cannot comment: one warning, report in the summary, step passes', async () => {
    api.readOnlyTokens.add('fork-token')
    const run = await runPullRequest(checkoutPullRequest(origin, 10, 'main', 'grow'), {}, 'fork-token')
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.warnings.filter(w => w.includes('workflow_run'))).toHaveLength(1)
    expect(run.summary).toContain('Compared with base commit')
    expect(comments(10)).toEqual([])
    expect(run.outputs['comment-id']).toBeUndefined()
  })

  it('with the head branch checked out (not the merge commit), the base is the merge base', async () => {
    const checkout = checkoutPullRequest(origin, 15, 'main', 'shrink')
    git(checkout.workspace, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', 'shrink')
    git(checkout.workspace, 'checkout', '-q', '--detach', 'FETCH_HEAD')
    const run = await runPullRequest(checkout, { comment: 'false' })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const main = git(origin, 'rev-parse', 'main')
    expect(run.summary).toMatch(new RegExp(`Compared with base commit \\[?\`${main.slice(0, 12)}\``))
    expect(Number(run.outputs['size-delta'])).toBeLessThan(0)
  })

  it.each(Object.entries(TOKEN_KINDS).map(([name, kind], i) => [name, kind, 20 + i] as const))(
    "a %s finds its own comment: two runs leave one, the other bot's is left alone; the build is the PR head",
    async (_name, kind, number) => {
      const token = `token-${number}`
      api.tokens.set(token, kind)
      api.seed(number, 1, () => ({ body: `${MARKER}\nanother bot's report`, user: { login: 'other-app[bot]' } }))
      const checkout = checkoutPullRequest(origin, number, 'main', 'shrink')
      const inputs = { compare: 'off', 'smoke-test': 'version' }
      const first = await runPullRequest(checkout, inputs, token)
      const second = await runPullRequest(checkout, { ...inputs, 'max-size': '50MB' }, token)
      for (const run of [first, second]) {
        expect(run.errors).toEqual([])
        expect(run.warnings.filter(w => w.includes('comment'))).toEqual([])
      }
      const ours = comments(number).filter(c => c.user.login === kind.login)
      expect(ours).toHaveLength(1)
      expect(ours[0].body).toContain('**Size budget** (max-size')
      expect(second.outputs['comment-id']).toBe(String(ours[0].id))
      expect(comments(number).find(c => c.user.login === 'other-app[bot]')?.body).toBe(`${MARKER}\nanother bot's report`)
      // The binary in the image says so itself: the reviewer's commit, not GitHub's merge commit.
      expect(first.outputs.build).toBe(checkout.headSha)
      expect(first.summary).toContain(`Build: ${checkout.headSha}`)
    }
  )

  it('two runs racing leave one comment', async () => {
    const checkout = checkoutPullRequest(origin, 11, 'main', 'shrink')
    const [a, b] = await Promise.all([runPullRequest(checkout, {}), runPullRequest(checkout, {})])
    expect([a.code, b.code]).toEqual([0, 0])
    expect(comments(11)).toHaveLength(1)
  })

  it('the baseline can come from the image main published, read from the registry', async () => {
    const registry = await startRegistry()
    try {
      const main = checkoutPullRequest(origin, 12, 'main', 'main')
      const published = await runAction({ push: 'true', tags: `${registry.host}/acme/hello:main` }, { workspace: main.workspace })
      expect(published.code).toBe(0)
      const run = await runPullRequest(checkoutPullRequest(origin, 13, 'main', 'grow'), {
        'baseline-image': `${registry.host}/acme/hello:main`,
        'max-increase': '10MB'
      })
      expect(run.errors).toEqual([])
      expect(run.code).toBe(0)
      expect(run.outputs.gate).toBe('pass')
      // The registry's own manifest of the tag, read here, is what the base figure is.
      const stored = await registryWire(registry.host, 'acme/hello', 'main')
      expect(Number(run.outputs['base-image-size'])).toBe(stored)
      expect(Number(run.outputs['size-delta'])).toBe(Number(run.outputs['image-size']) - stored)
      expect(comments(13)[0].body).toContain(`Compared with \`${registry.host}/acme/hello:main\``)
    } finally {
      await registry.stop()
    }
  })

  it('a baseline image that cannot be read is reported, not fatal', async () => {
    const run = await runPullRequest(checkoutPullRequest(origin, 14, 'main', 'grow'), {
      'baseline-image': '127.0.0.1:1/nothing/here:main',
      comment: 'false',
      'max-increase': '1%'
    })
    expect(run.code).toBe(0)
    expect(run.outputs.gate).toBe('skipped')
    expect(run.summary).toContain('No baseline: the baseline image 127.0.0.1:1/nothing/here:main could not be read')
  })
})
