/**
 * The comment phase against a GitHub API that misbehaves: it ends within its budget, warns once, and the report is
 * still in the summary and the outputs; the token never reaches the log.
 */
import { FakeGitHub } from './github-fake.js'
import { git, helloRepository, requireTools, runAction } from './harness.js'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

beforeAll(() => requireTools('go', 'docker', 'git'))

const TOKEN = 'ghs_secretTokenValue1234567890'

describe('a misbehaving GitHub API', () => {
  const api = new FakeGitHub()
  const repo = helloRepository()
  beforeAll(() => api.start())
  afterAll(() => api.stop())

  let number = 100
  async function run(inputs: Record<string, string> = {}) {
    number++
    const event = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
    const sha = git(repo.dir, 'rev-parse', 'HEAD')
    writeFileSync(event, JSON.stringify({ number, pull_request: { number, base: { ref: 'main', sha }, head: { ref: 'x', sha } } }))
    const started = Date.now()
    const result = await runAction(
      // Its own image: pr.test.ts loads acme/hello:0.1.0 at the same time, and one load retagging under the other's smoke test fails it.
      { image: 'slim-test/api-faults', compare: 'off', 'github-token': TOKEN, 'comment-timeout': '6', ...inputs },
      { workspace: repo.dir, env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/hello' } }
    )
    return { ...result, seconds: (Date.now() - started) / 1000, number }
  }
  const commentWarnings = (r: { warnings: string[] }) => r.warnings.filter(w => w.startsWith('The pull request comment could not be written'))
  const requestsTo = (pattern: RegExp) => api.requests.filter(r => pattern.test(r.path))

  it('a hung API: the comment phase ends within its budget, one warning, the report is written', async () => {
    api.faults.push({ method: 'GET', path: /\/issues\/\d+\/comments$/, status: 200, message: '', times: 100, hang: true })
    const result = await run()
    api.faults.length = 0
    expect(result.code).toBe(0)
    expect(commentWarnings(result)).toHaveLength(1)
    expect(commentWarnings(result)[0]).toContain('comment budget of 6s')
    expect(result.summary).toContain('Go Slim Image')
    expect(Number(result.outputs['image-size'])).toBeGreaterThan(1_000_000)
    // The comment phase itself, from its log group's first line to its last: the 6 s budget, and the warning's own time.
    const comment = result.groups.find(g => g.name === 'comment')!
    expect(comment.endMs).toBeDefined()
    expect(comment.endMs! - comment.startMs).toBeGreaterThanOrEqual(5_500)
    expect(comment.endMs! - comment.startMs).toBeLessThan(7_000)
  })

  it('5xx on every call: retried once per call, then one warning', async () => {
    const before = api.requests.length
    api.faults.push({ method: 'GET', path: /\/issues\/\d+\/comments$/, status: 502, message: 'Bad Gateway', times: 100 })
    const result = await run()
    api.faults.length = 0
    expect(result.code).toBe(0)
    expect(commentWarnings(result)).toHaveLength(1)
    expect(commentWarnings(result)[0]).toContain(`listing the comments of #${result.number} failed`)
    expect(api.requests.slice(before).filter(r => /\/comments(\?|$)/.test(r.path))).toHaveLength(2)
  })

  it('a rate limit whose reset is far away is not waited for', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 120)
    api.faults.push({
      method: 'GET',
      path: /\/issues\/\d+\/comments$/,
      status: 429,
      message: 'API rate limit exceeded',
      times: 100,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'retry-after': '120' }
    })
    const started = Date.now()
    const result = await run()
    api.faults.length = 0
    expect(result.code).toBe(0)
    expect(commentWarnings(result)).toHaveLength(1)
    expect(result.stdout).toContain('past the comment budget')
    expect((Date.now() - started) / 1000).toBeLessThan(60)
  })

  it('a malformed answer says which call got it', async () => {
    api.faults.push({ method: 'GET', path: /\/issues\/\d+\/comments$/, status: 200, message: '', raw: '{not json', times: 5 })
    const result = await run()
    api.faults.length = 0
    expect(commentWarnings(result)).toHaveLength(1)
    expect(commentWarnings(result)[0]).toContain(`listing the comments of #${result.number} failed: the API's answer is not the JSON GitHub sends`)
  })

  it('a server that echoes the token back cannot put it in the log', async () => {
    api.faults.push({ method: 'GET', path: /\/issues\/\d+\/comments$/, status: 401, message: 'Bad credentials', times: 5, echoToken: true })
    const result = await run()
    api.faults.length = 0
    expect(requestsTo(/\/comments(\?|$)/).some(r => r.token === TOKEN)).toBe(true)
    expect(commentWarnings(result)[0]).toContain('Bad credentials (token ***)')
    expect(result.stdout).not.toContain(TOKEN)
  })
})
