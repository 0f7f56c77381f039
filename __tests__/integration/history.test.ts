/**
 * The branch's size over time, from the measurements the runs store: three pushes to main through the loopback cache
 * service (the third with another Go release, on a tag with a hostile name, under a hostile subject), then a pull
 * request, whose comment draws main's commits and itself. The chart is drawn by Mermaid in a real browser and read
 * back off its own axis.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CacheService } from '../../scripts/cache-service.mjs'
import { runPost } from '../../scripts/run-action.mjs'
import { FakeGitHub } from './github-fake.js'
import { checkoutPullRequest, checkoutPush, git, requireTools, ROOT, runAction, type ActionRun } from './harness.js'
import { HISTORY_KEPT, type HistoryPoint } from '../../src/compare/history.js'
import { renderHistory } from '../../src/report/history.js'
import { drawMermaid, readChart, requireChromium } from './mermaid-page.js'

beforeAll(() => {
  requireTools('go', 'docker', 'git', 'tar')
  requireChromium()
})

const REPOSITORY = 'acme/history'
const MiB = 1024 ** 2
// Another Go release, from the module proxy as the go command takes one: the history marks the change.
const NEWER_GO = 'go1.27.3'
// As hostile as the action lets a version be (letters, digits and . _ + ~ / -; git refuses ~): emphasis in Markdown.
const HOSTILE_TAG = 'v1.3.0-__x__+_y_/z'
const HOSTILE_SUBJECT = 'feat: xml "] ; click x call alert() <img src=x> @admin ```'

const endpoint = (name: string, imports: string[], body: string) =>
  `package main\n\nimport (\n${imports.map(i => `\t"${i}"\n`).join('')})\n\nfunc init() {\n\thttp.HandleFunc("/${name}", func(w http.ResponseWriter, r *http.Request) { ${body} })\n}\n`

/** An author's clone of `origin`, with examples/hello in service/. */
function author(origin: string): string {
  const work = mkdtempSync(path.join(tmpdir(), 'history-author-'))
  git(work, 'init', '-q', '-b', 'main')
  git(work, 'remote', 'add', 'origin', origin)
  mkdirSync(path.join(work, 'service'))
  cpSync(path.join(ROOT, 'examples/hello'), path.join(work, 'service'), { recursive: true })
  return work
}

function commitAndPush(work: string, subject: string, files: Record<string, string>, branch = 'main'): string {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(work, 'service', name), text)
  git(work, 'add', '-A')
  git(work, 'commit', '-qm', subject)
  git(work, 'push', '-q', 'origin', `HEAD:${branch}`)
  return git(work, 'rev-parse', 'HEAD')
}

const mermaidOf = (markdown: string) => /```mermaid\n([\s\S]*?)\n```/.exec(markdown)?.[1]

interface History {
  branch?: string
  points: Array<{ commit: string; version?: string; goVersion: string; images: Array<{ platform: string; wire: number }> }>
  head?: { number?: number; images: Array<{ platform: string; wire: number }> }
  maxSize?: number
}

describe("a branch's size history", () => {
  const cache = new CacheService()
  const api = new FakeGitHub()
  const origin = mkdtempSync(path.join(tmpdir(), 'history-origin-'))
  git(origin, 'init', '-q', '--bare', '-b', 'main')
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true')
  const work = author(origin)
  beforeAll(() => Promise.all([cache.start(), api.start()]))
  afterAll(() => Promise.all([cache.stop(), api.stop()]))

  const env = (more: Record<string, string> = {}) => ({
    ...cache.env(),
    // A hosted runner's Go: it stamps the commit, and takes the toolchain asked for.
    GOFLAGS: '-buildvcs=auto',
    GOTOOLCHAIN: 'auto',
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '77',
    ...more
  })
  const inputs = { 'working-directory': 'service', 'github-token': 'actions-token', image: REPOSITORY, upx: 'off', 'max-size': '8MiB' }

  /** A push to main of what `workspace` holds, with its post step (which stores the measurement). */
  async function push(workspace: string, extra: Record<string, string> = {}, more: Record<string, string> = {}): Promise<ActionRun> {
    const run = await runAction(
      { ...inputs, ...extra },
      { workspace, env: env({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main', ...more }) }
    )
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const post = await runPost(run, { workspace, env: env(more) })
    expect(post.code).toBe(0)
    return run
  }

  const commits: string[] = []
  const pushes: ActionRun[] = []

  it('a push keeps the branch history with what it stores, and its summary draws it', async () => {
    commits.push(commitAndPush(work, 'hello', {}))
    pushes.push(await push(checkoutPush(origin)))
    commits.push(
      commitAndPush(work, 'add a checksum endpoint', {
        'sum.go': endpoint('sum', ['crypto/sha512', 'fmt', 'net/http'], 'fmt.Fprintf(w, "%x", sha512.Sum512([]byte(r.URL.Path)))')
      })
    )
    pushes.push(await push(checkoutPush(origin)))
    commits.push(
      commitAndPush(work, HOSTILE_SUBJECT, {
        'xml.go': endpoint('xml', ['encoding/xml', 'net/http'], 'xml.NewEncoder(w).Encode(struct{ Path string }{r.URL.Path})'),
        'go.mod': `module github.com/go-slim-image/hello\n\ngo 1.22\n\ntoolchain ${NEWER_GO}\n`
      })
    )
    git(work, 'tag', HOSTILE_TAG)
    git(work, 'push', '-q', 'origin', HOSTILE_TAG)
    pushes.push(await push(checkoutPush(origin, 'main', { full: true })))

    const sizes = pushes.map(run => Number(run.outputs['image-size']))
    expect(new Set(sizes).size).toBe(3)
    const history = JSON.parse(pushes[2].outputs['history-json']) as History
    expect(history.branch).toBe('main')
    expect(history.points.map(p => p.commit)).toEqual(commits)
    expect(history.points.map(p => p.images[0].wire)).toEqual(sizes)
    expect(history.points[1].goVersion).toMatch(/^go1\.26\./)
    expect(history.points[2].goVersion).toBe(NEWER_GO)
    expect(history.points[2].version).toBe(HOSTILE_TAG)
    // The push's own summary draws its branch: three bars, the budget as a line.
    const drawn = mermaidOf(pushes[2].summary)
    expect(drawn).toContain(`"${commits[2].slice(0, 7)} (${NEWER_GO})"`)
    expect(readChart(drawMermaid(drawn!)).bars).toHaveLength(3)
  })

  it("a pull request reads its base's history in the same lookup, and its comment draws it, the pull request last", async () => {
    git(work, 'checkout', '-q', '-b', 'grow')
    commitAndPush(
      work,
      'encode images',
      { 'png.go': endpoint('png', ['image', 'image/png', 'net/http'], 'png.Encode(w, image.NewGray(image.Rect(0, 0, 8, 8)))') },
      'grow'
    )
    const checkout = checkoutPullRequest(origin, 5, 'main', 'grow')
    const lookups = cache.requests.length
    const run = await runAction(inputs, {
      workspace: checkout.workspace,
      env: env({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: checkout.event, GITHUB_REF: 'refs/pull/5/merge' })
    })
    expect(run.errors).toEqual([])
    expect(run.outputs['baseline-source']).toBe('cache')
    // One lookup brought the base and its history.
    expect(cache.requests.slice(lookups).filter(r => r.method === 'GET' && /\/cache\?/.test(r.path))).toHaveLength(1)

    const sizes = [...pushes, run].map(r => Number(r.outputs['image-size']))
    const body = api.comments.get(5)![0].body
    const block = mermaidOf(body)!
    const chart = readChart(drawMermaid(block))
    expect(chart.fromZero).toBe(true)
    expect(chart.labels).toEqual([commits[0].slice(0, 7), commits[1].slice(0, 7), `${commits[2].slice(0, 7)} (${NEWER_GO})`, 'this PR'])
    // Each bar, read off the drawn axis, is the run's image-size output (in MiB, within a pixel's worth).
    expect(chart.bars).toHaveLength(4)
    chart.bars.forEach((value, i) => expect(Math.abs(value - sizes[i] / MiB)).toBeLessThan(0.01 * (sizes[i] / MiB)))
    expect(chart.line).toHaveLength(4)
    for (const value of chart.line) expect(value).toBeCloseTo(8, 1)

    const steps = [1, 2].map(i => ({ at: commits[i], delta: sizes[i] - sizes[i - 1] }))
    const largest = steps.reduce((a, b) => (Math.abs(b.delta) > Math.abs(a.delta) ? b : a))
    expect(body).toMatch(
      new RegExp(
        `\\*\\*Size history\\*\\* \\(linux/amd64\\): \\+[\\d.]+ KiB \\(\\+\\d+%\\) over the last 3 measured commits of \`main\` \\(since \\d{4}-\\d\\d-\\d\\d\\); the largest step, \\+[\\d.]+ KiB, at \`${largest.at.slice(0, 7)}\``
      )
    )
    expect(body).toContain(`built with \`${NEWER_GO}\` from \`${commits[2].slice(0, 7)}\` on`)
    // The hostile tag is text in a code span; the subject never reaches the report.
    expect(body).toContain(`(\`${HOSTILE_TAG}\`)`)
    expect(body).not.toContain('click x')
    const history = JSON.parse(run.outputs['history-json']) as History
    expect(history.points.map(p => p.commit)).toEqual(commits)
    expect(history.head).toEqual({ number: 5, images: [expect.objectContaining({ platform: 'linux/amd64', wire: sizes[3] })] })
    rmSync(checkout.workspace, { recursive: true, force: true })
  })

  it('a settings change goes on with the same history, the change marked', async () => {
    git(work, 'checkout', '-q', 'main')
    const next = commitAndPush(work, 'say hello louder', {
      'loud.go': endpoint('loud', ['net/http', 'strings'], 'w.Write([]byte(strings.ToUpper(r.URL.Path)))')
    })
    // Another final stage: another shape, so no entry of its own yet; the lineage's latest brings the history.
    const run = await push(checkoutPush(origin), { 'final-stage': 'scratch' })
    const history = JSON.parse(run.outputs['history-json']) as History
    expect(history.points.map(p => p.commit)).toEqual([...commits, next])
    expect(run.summary).toContain(`"${next.slice(0, 7)} (new settings)"`)
    expect(run.summary).toContain(`the image's settings changed at \`${next.slice(0, 7)}\``)
  })

  it('a full history draws every commit on a row of its own, as tall as they need, still in proportion', () => {
    const points: HistoryPoint[] = Array.from({ length: HISTORY_KEPT }, (_, n) => ({
      commit: `${(0x1000000 + n * 7919).toString(16)}${'0'.repeat(40)}`.slice(0, 40),
      goVersion: 'go1.26.8',
      shape: 'f'.repeat(32),
      images: [{ platform: 'linux/amd64', wire: 8 * MiB + n * 40960, binary: 1 }]
    }))
    const out: string[] = []
    renderHistory({ branch: 'main', points, head: { number: 9, images: [{ platform: 'linux/amd64', wire: 11 * MiB, binary: 1 }] }, maxSize: 12 * MiB }, out)
    const svg = drawMermaid(mermaidOf(out.join('\n'))!)
    const chart = readChart(svg)
    expect(chart.sideways).toBe(true)
    expect(chart.labels).toHaveLength(HISTORY_KEPT + 1)
    expect(new Set(chart.labels).size).toBe(HISTORY_KEPT + 1)
    expect(chart.labels.at(-1)).toBe('this PR')
    const wires = [...points.map(p => p.images[0].wire), 11 * MiB]
    chart.bars.forEach((value, i) => expect(Math.abs(value - wires[i] / MiB)).toBeLessThan(0.01 * (wires[i] / MiB)))
    for (const value of chart.line) expect(value).toBeCloseTo(12, 1)
    // Tall enough that a label's row is at least 16 px: the labels do not overlap.
    const height = Number(/viewBox="0 0 [\d.]+ ([\d.]+)"/.exec(svg)?.[1])
    expect(height / (HISTORY_KEPT + 1)).toBeGreaterThan(16)
  })
})
