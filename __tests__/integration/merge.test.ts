/**
 * Builds spread over runners, as Docker documents them: one job per platform pushes by digest, a merge job
 * (merge/action.yml, run as the runner runs it) writes the index under the tags and one report. Everything is
 * checked against the registry and the comment the API received.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FakeGitHub } from './github-fake.js'
import {
  checkoutPullRequest,
  git,
  goModule,
  helloRepository,
  registryGet,
  registryTags,
  requireTools,
  runAction,
  startRegistry,
  type ActionRun,
  type Registry
} from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git', 'docker-registry'))

const isAttestation = (m: any) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'

/** Where actions/download-artifact puts each job's artifact: a folder per artifact, under the merge job's workspace. */
function downloaded(runs: Record<string, ActionRun>): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'merge-workspace-'))
  for (const [artifact, run] of Object.entries(runs)) {
    expect(run.outputs['report-file']).toMatch(/report\.json$/)
    mkdirSync(path.join(workspace, 'reports', artifact), { recursive: true })
    cpSync(run.outputs['report-file'], path.join(workspace, 'reports', artifact, 'report.json'))
  }
  return workspace
}

const readReport = (workspace: string, artifact: string) => JSON.parse(readFileSync(path.join(workspace, 'reports', artifact, 'report.json'), 'utf8'))
const writeReport = (workspace: string, artifact: string, report: unknown) => {
  mkdirSync(path.join(workspace, 'reports', artifact), { recursive: true })
  writeFileSync(path.join(workspace, 'reports', artifact, 'report.json'), JSON.stringify(report))
}

/** A platform's size on the wire as the registry stores it: config plus layers of its manifest. */
async function storedWire(host: string, repository: string, digest: string): Promise<number> {
  const manifest = (await registryGet(host, `${repository}/manifests/${digest}`)).body
  return manifest.config.size + manifest.layers.reduce((sum: number, layer: { size: number }) => sum + layer.size, 0)
}

function pullRequestEvent(number: number): string {
  const event = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
  writeFileSync(
    event,
    JSON.stringify({ number, pull_request: { number, base: { ref: 'main', sha: 'a'.repeat(40) }, head: { ref: 'x', sha: 'b'.repeat(40) } } })
  )
  return event
}

describe('merge: one index and one report from jobs spread over runners', () => {
  let registry: Registry
  const api = new FakeGitHub()
  beforeAll(async () => {
    registry = await startRegistry()
    await api.start()
  })
  afterAll(async () => {
    await registry.stop()
    await api.stop()
  })

  const repo = helloRepository('v2.0.0')
  const tagPush = { GITHUB_REF: 'refs/tags/v2.0.0', GITHUB_REF_NAME: 'v2.0.0', GITHUB_REPOSITORY: 'acme/hello' }
  const jobs: Record<string, ActionRun> = {}
  let workspace = ''

  it('two push-by-digest jobs and the merge: the index under each tag holds exactly their two digests; sizes are the registry’s; one comment', async () => {
    const image = `${registry.host}/acme/merged`
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const run = await runAction(
        // One job attaches provenance and its SBOM (its push is an index), the other none (a single manifest): the merge reads both.
        {
          image,
          platforms: platform,
          push: 'true',
          'push-by-digest': 'true',
          load: 'false',
          comment: 'false',
          ...(platform === 'linux/amd64' ? { provenance: 'mode=min' } : { provenance: 'false', sbom: 'false' })
        },
        { workspace: repo.dir, env: tagPush }
      )
      expect(run.errors).toEqual([])
      jobs[platform.replace('/', '-')] = run
    }
    // Nothing is tagged until the merge.
    expect(await registryTags(registry.host, 'acme/merged')).toEqual([])
    workspace = downloaded(jobs)

    const merge = await runAction(
      {
        reports: 'reports/*/report.json',
        tags: `${image}:2.0.0\nlatest`,
        annotations: 'index:org.opencontainers.image.title=hello',
        'github-token': 'actions-token'
      },
      {
        workspace,
        action: 'merge',
        env: { ...tagPush, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent(31), GITHUB_API_URL: api.url }
      }
    )
    expect(merge.errors).toEqual([])
    expect(merge.code).toBe(0)

    const index = await registryGet(registry.host, 'acme/merged/manifests/2.0.0')
    expect(index.digest).toBe(merge.outputs.digest)
    expect((await registryGet(registry.host, 'acme/merged/manifests/latest')).digest).toBe(merge.outputs.digest)
    expect(index.body.annotations).toEqual({ 'org.opencontainers.image.title': 'hello' })
    const pushed = Object.values(jobs).map(run => JSON.parse(run.outputs['report-json']).published.images[0].manifestDigest)
    const listed = index.body.manifests.filter((m: any) => !isAttestation(m))
    expect(listed.map((m: any) => m.digest).sort()).toEqual([...pushed].sort())
    expect(listed.map((m: any) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(['linux/amd64', 'linux/arm64'])
    // The amd64 job's attestations ride along, naming its image.
    const attestations = index.body.manifests.filter(isAttestation)
    expect(attestations.map((a: any) => a.annotations['vnd.docker.reference.digest'])).toEqual([listed[0].digest])

    const merged = JSON.parse(merge.outputs['report-json'])
    expect(merged.gate).toBe('skipped')
    expect(merged.images).toHaveLength(1)
    const [report] = merged.images
    expect(report.digest).toBe(index.digest)
    expect(report.published.references).toEqual([`${image}:2.0.0`, `${image}:latest`])
    for (const descriptor of listed) {
      const platform = `${descriptor.platform.os}/${descriptor.platform.architecture}`
      const wire = await storedWire(registry.host, 'acme/merged', descriptor.digest)
      expect(report.measurement.images.find((i: any) => i.platform === platform).wire).toBe(wire)
      expect(report.published.images.find((i: any) => i.platform === platform)).toEqual({ platform, manifestDigest: descriptor.digest, wire })
    }
    expect(Number(merge.outputs['image-size'])).toBe(Math.max(...report.measurement.images.map((i: any) => i.wire)))

    const comments = api.comments.get(31) ?? []
    expect(comments).toHaveLength(1)
    expect(merge.outputs['comment-id']).toBe(String(comments[0].id))
    expect(comments[0].body).toContain(`### 📦 Go Slim Image: \`${image}:2.0.0\``)
    expect(comments[0].body).toContain('| linux/amd64 |')
    expect(comments[0].body).toContain('| linux/arm64 |')
    expect(comments[0].body).toContain(`\`${image}:latest@${index.digest}\``)
    expect(merge.summary).toContain(`${image}:2.0.0@${index.digest}`)
  })

  /** The merge on reports a test changed: one error, and the tags as they were. */
  async function refused(change: (workspace: string) => void): Promise<string> {
    const broken = downloaded(jobs)
    change(broken)
    const before = await registryTags(registry.host, 'acme/merged')
    const merge = await runAction({ reports: 'reports/*/report.json', tags: 'faulty' }, { workspace: broken, action: 'merge', env: tagPush })
    expect(merge.code).toBe(1)
    expect(merge.errors).toHaveLength(1)
    expect(await registryTags(registry.host, 'acme/merged')).toEqual(before)
    expect(before).not.toContain('faulty')
    return merge.errors[0]
  }

  it('a report whose digest the registry does not hold: one clear error, nothing tagged', async () => {
    const error = await refused(dir => {
      const report = readReport(dir, 'linux-arm64')
      const missing = `sha256:${'e'.repeat(64)}`
      report.published.digest = missing
      report.published.images[0].manifestDigest = missing
      writeReport(dir, 'linux-arm64', report)
    })
    expect(error).toContain('Cannot merge, so nothing was tagged: what the registry holds is not what the reports say: ')
    expect(error).toContain(`reports/linux-arm64/report.json: ${registry.host}/acme/merged@sha256:${'e'.repeat(64)} is not in the registry`)
  })

  it('a FIFO, a file outside the workspace and a huge file among the reports: one error naming each, none opened, nothing tagged', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'outside-report-'))
    writeFileSync(path.join(outside, 'report.json'), '{}')
    const started = Date.now()
    const error = await refused(dir => {
      mkdirSync(path.join(dir, 'reports/fifo'), { recursive: true })
      execFileSync('mkfifo', [path.join(dir, 'reports/fifo/report.json')])
      mkdirSync(path.join(dir, 'reports/escape'), { recursive: true })
      symlinkSync(path.join(outside, 'report.json'), path.join(dir, 'reports/escape/report.json'))
      mkdirSync(path.join(dir, 'reports/huge'), { recursive: true })
      execFileSync('truncate', ['-s', '600M', path.join(dir, 'reports/huge/report.json')])
    })
    // A read of the FIFO would hang until the job's timeout.
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(error).toContain('reports/fifo/report.json is not a regular file (a folder, FIFO, socket or device)')
    expect(error).toMatch(/reports\/escape\/report\.json is .*outside-report-.*report\.json, outside the workspace and the runner's temporary folder/)
    expect(error).toContain('reports/huge/report.json is 629145600 bytes, over the 33554432 a report may have')
  })

  it('a pattern that climbs out of the workspace reads nothing there', async () => {
    const merge = await runAction({ reports: '../../../../../../etc/passwd', tags: 'faulty' }, { workspace: downloaded(jobs), action: 'merge', env: tagPush })
    expect(merge.code).toBe(1)
    expect(merge.errors[0]).toMatch(/\/etc\/passwd is \/etc\/passwd, outside the workspace and the runner's temporary folder/)
    expect(merge.stdout).not.toContain('root:')
  })

  it('two reports of the same platform: one clear error, nothing tagged', async () => {
    const error = await refused(dir => writeReport(dir, 'linux-amd64-again', readReport(dir, 'linux-amd64')))
    expect(error).toBe(
      `Cannot merge, so nothing was tagged: reports/linux-amd64-again/report.json and reports/linux-amd64/report.json both hold linux/amd64 of ${registry.host}/acme/merged: each platform comes from one job, so two reports of it are two runs (download only this run's artifacts) or a matrix that builds it twice`
    )
  })

  it('reports of different commits: one clear error, nothing tagged', async () => {
    const error = await refused(dir => {
      const report = readReport(dir, 'linux-arm64')
      report.version.commit = 'f'.repeat(40)
      writeReport(dir, 'linux-arm64', report)
    })
    expect(error).toContain('Cannot merge, so nothing was tagged: the reports are of different commits (reports/linux-amd64/report.json of ')
    expect(error).toContain('reports/linux-arm64/report.json of ffffffffffff')
  })

  it('a report the registry holds at another size: one clear error, nothing tagged', async () => {
    const error = await refused(dir => {
      const report = readReport(dir, 'linux-amd64')
      report.measurement.images[0].wire += 1
      writeReport(dir, 'linux-amd64', report)
    })
    expect(error).toMatch(/reports\/linux-amd64\/report\.json: linux\/amd64 is \d+ bytes on the wire in the registry, but its report measured \d+/)
  })

  it('no report where the pattern points: one clear error', async () => {
    const merge = await runAction({ reports: 'artifacts/*.json' }, { workspace: mkdtempSync(path.join(tmpdir(), 'empty-')), action: 'merge', env: tagPush })
    expect(merge.code).toBe(1)
    expect(merge.errors).toEqual([expect.stringContaining('reports: no file matches "artifacts/*.json"')])
  })
})

/** A monorepo of two services, shaped like real ones: cmd/NAME, a version package, one go.mod. */
function shopOrigin(): string {
  const work = goModule({
    'go.mod': 'module example.com/shop\n\ngo 1.22\n',
    'internal/version/version.go': 'package version\n\nvar Version, Build = "dev", "none"\n',
    'cmd/api/main.go':
      'package main\n\nimport (\n\t"fmt"\n\t"os"\n\n\t"example.com/shop/internal/version"\n)\n\nfunc main() {\n\tif len(os.Args) > 1 {\n\t\tfmt.Println(version.Version, version.Build)\n\t\treturn\n\t}\n\tfmt.Println("api")\n}\n',
    'cmd/worker/main.go':
      'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/shop/internal/version"\n)\n\nfunc main() { fmt.Println("worker", version.Version, version.Build) }\n'
  })
  git(work, 'init', '-q', '-b', 'main')
  git(work, 'add', '-A')
  git(work, 'commit', '-qm', 'two services')
  const origin = mkdtempSync(path.join(tmpdir(), 'shop-origin-'))
  git(origin, 'init', '-q', '--bare')
  git(work, 'push', '-q', `file://${origin}`, 'main')
  // The pull request grows the api only: it starts speaking XML.
  git(work, 'checkout', '-q', '-b', 'xml')
  writeFileSync(
    path.join(work, 'cmd/api/xml.go'),
    'package main\n\nimport (\n\t"encoding/xml"\n\t"os"\n)\n\nfunc init() {\n\tif os.Getenv("XML") != "" {\n\t\t_ = xml.NewEncoder(os.Stdout).Encode(struct{ A string }{"a"})\n\t}\n}\n'
  )
  git(work, 'add', '-A')
  git(work, 'commit', '-qm', 'the api speaks XML')
  git(work, 'push', '-q', `file://${origin}`, 'xml')
  return origin
}

describe('merge: a monorepo whose services build in jobs of their own', () => {
  const api = new FakeGitHub()
  beforeAll(() => api.start())
  afterAll(() => api.stop())

  it('one comment with a section per image, a row each and one headline for the whole change', async () => {
    const checkout = checkoutPullRequest(shopOrigin(), 32, 'main', 'xml')
    const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: checkout.event, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/shop' }
    const runs: Record<string, ActionRun> = {}
    for (const service of ['api', 'worker']) {
      const run = await runAction(
        {
          package: `./cmd/${service}`,
          image: `merge-test/shop-${service}`,
          'version-variable': 'example.com/shop/internal/version.Version',
          'build-variable': 'example.com/shop/internal/version.Build',
          load: 'false',
          comment: 'false',
          'baseline-cache': 'false',
          'max-increase': service === 'api' ? '50%' : '1KB'
        },
        { workspace: checkout.workspace, env }
      )
      expect(run.errors).toEqual([])
      runs[service] = run
    }
    // The jobs wrote no comment of their own.
    expect(api.comments.get(32) ?? []).toEqual([])

    const merge = await runAction(
      { reports: 'reports/api/report.json\nreports/worker/*.json', 'github-token': 'actions-token' },
      { workspace: downloaded(runs), action: 'merge', env }
    )
    expect(merge.errors).toEqual([])
    expect(merge.code).toBe(0)
    const comments = api.comments.get(32) ?? []
    expect(comments).toHaveLength(1)
    const body = comments[0].body
    const merged = JSON.parse(merge.outputs['report-json'])
    expect(merged.images.map((r: any) => r.image)).toEqual(['merge-test/shop-api', 'merge-test/shop-worker'])
    expect(merged.gate).toBe('pass')

    // The headline sums what each image's largest pull changed, as the registry-free measurements say.
    const [apiReport, workerReport] = merged.images
    const delta = (r: any) => r.measurement.images[0].wire - r.baseline.images[0].wire
    expect(delta(apiReport)).toBeGreaterThan(0)
    // The worker's binary only carries another commit: a few bytes, at most, after gzip.
    expect(Math.abs(delta(workerReport))).toBeLessThan(1000)
    expect(body).toMatch(
      new RegExp(
        `^<!-- go-slim-image:default -->\\n### 📦 Go Slim Image: 2 images, \\*\\*\\+[\\d.]+ KiB\\*\\* on the wire in all 📈 · (?:only|most in) \`merge-test/shop-api:0\\.1\\.0\``
      )
    )
    expect(body.match(/^#### 📦 /gm)).toHaveLength(2)
    expect(body).toContain('#### 📦 `merge-test/shop-api:0.1.0`: ')
    expect(body).toContain('#### 📦 `merge-test/shop-worker:0.1.0`: ')
    // Each image keeps its own budget and its own split of what moved.
    expect(body).toContain('**Size budget** (max-increase 50%): ✅ pass')
    expect(body).toContain('**Size budget** (max-increase 1000 B): ✅ pass')
    expect(body).toMatch(
      /<details><summary>Why the linux\/amd64 binary changed<\/summary>[\s\S]*\| standard library \| [\d.]+ KiB \| [\d.]+ KiB \| \+[\d.]+ KiB \|/
    )
    expect(body).toMatch(/\| `merge-test\/shop-api:0\.1\.0` \| \*\*[\d.]+ [KM]iB\*\* \| [\d.]+ [KM]iB \| \+[\d.]+ KiB \(\+[\d.]+%\) \| ✅ pass \|/)
  })
})
