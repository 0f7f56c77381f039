import { tmpdir } from 'node:os'
import { combineReports, mergeGates } from '../../../src/merge/combine.js'
import { planMerge } from '../../../src/merge/plan.js'
import { renderMerged } from '../../../src/merge/render.js'
import { parseReport, type LoadedReport } from '../../../src/merge/reports.js'
import { readMergeSettings } from '../../../src/merge/settings.js'
import { indexManifest } from '../../../src/merge/tagging.js'
import { mismatches, refusalHead, type VerifiedGroup } from '../../../src/merge/verify.js'
import type { Report } from '../../../src/report/model.js'
import { InputError } from '../../../src/settings/reading.js'
import { actionInputs } from '../inputs.js'
import { sampleReport } from '../report-fixture.js'

const COMMIT = '0123456789abcdef0123456789abcdef01234567'
const hex = (c: string) => `sha256:${c.repeat(64)}`

/** One job's report of one platform, as report-json carries it; pushed by digest unless told otherwise. */
function jobReport(
  platform: string,
  options: { image?: string; commit?: string; pushed?: 'digest' | 'tags' | false; wire?: number; digit?: string } = {}
): Report {
  const { image = 'ghcr.io/acme/api', commit = COMMIT, pushed = 'digest', wire = 1973290, digit = platform.endsWith('arm64') ? 'b' : 'a' } = options
  const manifestDigest = hex(digit)
  const measured = { ...sampleReport.measurement.images[0], platform, wire, manifestDigest }
  return {
    ...sampleReport,
    image,
    tags: [`${image}:v1.2.3`],
    version: { ...sampleReport.version, commit },
    binaries: [{ ...sampleReport.binaries[0], platform }],
    measurement: { route: 'oci', images: [measured] },
    published:
      pushed === false
        ? undefined
        : {
            digest: manifestDigest,
            references: pushed === 'digest' ? [image] : [`${image}:v1.2.3`],
            images: [{ platform, manifestDigest, wire }],
            metadata: {},
            ...(pushed === 'digest' ? { byDigest: true } : {})
          }
  }
}

const loaded = (file: string, report: Report): LoadedReport => ({ file, report })

/** The one error planMerge throws, or none. */
function planError(reports: LoadedReport[], tags: string[] = []): string {
  try {
    planMerge(reports, tags)
  } catch (error) {
    return (error as Error).message
  }
  return ''
}

describe('merge settings', () => {
  const read = (inputs: Record<string, string>) => readMergeSettings(actionInputs(inputs, undefined, 'merge'), { GITHUB_WORKSPACE: tmpdir() })
  const problems = (inputs: Record<string, string>) => {
    try {
      read(inputs)
    } catch (error) {
      if (error instanceof InputError) return error.problems
      throw error
    }
    return []
  }

  it('takes reports one a line, bare tags and references, index annotations', () => {
    const settings = read({
      reports: 'a/*.json\nb.json',
      tags: 'latest, ghcr.io/acme/api:1.2.3',
      annotations: 'index:org.opencontainers.image.title=API\nowner=me'
    })
    expect(settings.reports).toEqual(['a/*.json', 'b.json'])
    expect(settings.tags).toEqual(['latest', 'ghcr.io/acme/api:1.2.3'])
    expect(settings.annotations).toEqual({ 'org.opencontainers.image.title': 'API', owner: 'me' })
  })

  it('says every mistake at once: no reports, a tag with a digest, a manifest annotation, a dash', () => {
    expect(problems({ reports: '' })).toEqual([expect.stringContaining('reports is empty')])
    const found = problems({ reports: '-rf', tags: `ghcr.io/acme/api@${hex('a')}\nnot a tag`, annotations: 'manifest:org.x=1\nnovalue' })
    expect(found).toEqual([
      expect.stringContaining('starts with a dash'),
      expect.stringContaining('is for manifest, but the merge writes only the index'),
      expect.stringContaining('is not of the form key=value'),
      expect.stringContaining('holds a digest'),
      expect.stringContaining('"not a tag" is neither a tag')
    ])
  })
})

describe('parseReport', () => {
  it("reads a job's report-json", () => {
    const report = jobReport('linux/amd64')
    expect(parseReport(JSON.stringify(report), 'r.json')).toEqual(report)
  })

  it('refuses what is not a report, naming the file and the first thing wrong', () => {
    expect(() => parseReport('{', 'r.json')).toThrow(/^r\.json is not JSON/)
    expect(() => parseReport('{"image":"x"}', 'r.json')).toThrow(/^r\.json is not a report of Go Slim Image \(its report-json\): format: /)
    expect(() => parseReport(JSON.stringify({ ...jobReport('linux/amd64'), format: 9 }), 'r.json')).toThrow('its format is 9, this merge reads format 1')
    // What reaches a registry URL is checked exactly: a digest that is a path is no digest.
    const hostile = jobReport('linux/amd64')
    hostile.published!.digest = '../../../tags/list'
    expect(() => parseReport(JSON.stringify(hostile), 'r.json')).toThrow('published.digest: a sha256 digest')
    expect(() => parseReport(JSON.stringify({ ...hostile, image: 'Acme/API;rm' }), 'r.json')).toThrow('image: a repository name')
  })
})

describe('planMerge', () => {
  it("groups one image's platforms in platform order, the index under the tags given", () => {
    const [group] = planMerge([loaded('b.json', jobReport('linux/arm64')), loaded('a.json', jobReport('linux/amd64'))], ['latest', 'ghcr.io/acme/api:v1'])
    expect(group.reports.map(r => r.file)).toEqual(['a.json', 'b.json'])
    expect(group.pushed).toBe(true)
    expect(group.tags).toEqual(['ghcr.io/acme/api:latest', 'ghcr.io/acme/api:v1'])
  })

  it("tags <image>:<version> by default, and each service's index with its own references and the bare tags", () => {
    expect(planMerge([loaded('a.json', jobReport('linux/amd64'))], [])[0].tags).toEqual(['ghcr.io/acme/api:v1.2.3'])
    const groups = planMerge(
      [loaded('api.json', jobReport('linux/amd64')), loaded('worker.json', jobReport('linux/amd64', { image: 'ghcr.io/acme/worker' }))],
      ['edge', 'ghcr.io/acme/worker:1']
    )
    expect(groups.map(g => g.tags)).toEqual([['ghcr.io/acme/api:edge'], ['ghcr.io/acme/worker:edge', 'ghcr.io/acme/worker:1']])
  })

  it('writes nothing for reports that were not pushed: a pull request merges them into one report', () => {
    const [group] = planMerge(
      [loaded('a.json', jobReport('linux/amd64', { pushed: false })), loaded('b.json', jobReport('linux/arm64', { pushed: false }))],
      ['latest']
    )
    expect(group.pushed).toBe(false)
    expect(group.tags).toEqual([])
  })

  it('refuses, before anything is tagged: two reports of one platform, different commits, a mixed or tagged push, a stray tag', () => {
    expect(planError([loaded('a.json', jobReport('linux/amd64')), loaded('b.json', jobReport('linux/amd64'))])).toBe(
      "Cannot merge, so nothing was tagged: a.json and b.json both hold linux/amd64 of ghcr.io/acme/api: each platform comes from one job, so two reports of it are two runs (download only this run's artifacts) or a matrix that builds it twice"
    )
    expect(planError([loaded('a.json', jobReport('linux/amd64')), loaded('b.json', jobReport('linux/arm64', { commit: 'f'.repeat(40) }))])).toBe(
      'Cannot merge, so nothing was tagged: the reports are of different commits (a.json of 0123456789ab; b.json of ffffffffffff): merge the reports of one workflow run, whose jobs built one commit'
    )
    expect(planError([loaded('a.json', jobReport('linux/amd64')), loaded('b.json', jobReport('linux/arm64', { pushed: false }))])).toContain(
      'of ghcr.io/acme/api, a.json was pushed by digest but b.json was not'
    )
    expect(planError([loaded('a.json', jobReport('linux/amd64', { pushed: 'tags' }))])).toContain('its job pushed ghcr.io/acme/api under its own tags')
    expect(planError([loaded('a.json', jobReport('linux/amd64'))], ['docker.io/acme/api:1'])).toContain(
      'tag "docker.io/acme/api:1" is in docker.io/acme/api, but the reports\' images are ghcr.io/acme/api'
    )
  })
})

describe('indexManifest', () => {
  const amd = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: hex('a'),
    size: 500,
    platform: { os: 'linux', architecture: 'amd64' },
    wire: 10
  }
  const arm = { ...amd, digest: hex('b'), platform: { os: 'linux', architecture: 'arm64' } }
  const attestation = (of: string, digit: string) => ({
    mediaType: amd.mediaType,
    digest: hex(digit),
    size: 800,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.digest': of, 'vnd.docker.reference.type': 'attestation-manifest' }
  })

  it('lists the platforms in order, then their attestations, whatever order the jobs came in: one digest', () => {
    const one: VerifiedGroup = { images: [arm, amd], attestations: [attestation(arm.digest, 'd'), attestation(amd.digest, 'c')] }
    const other: VerifiedGroup = { images: [amd, arm], attestations: [attestation(amd.digest, 'c'), attestation(arm.digest, 'd')] }
    const index = indexManifest(one, {})
    expect(indexManifest(other, {}).digest).toBe(index.digest)
    const json = JSON.parse(index.bytes.toString('utf8'))
    expect(json.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(json.manifests.map((m: { digest: string }) => m.digest)).toEqual([hex('a'), hex('b'), hex('c'), hex('d')])
    // The wire size is the merge's own figure, never a field of the index.
    expect(json.manifests[0]).toEqual({ mediaType: amd.mediaType, digest: amd.digest, size: 500, platform: amd.platform })
    expect(json.annotations).toBeUndefined()
    expect(JSON.parse(indexManifest(one, { owner: 'me' }).bytes.toString('utf8')).annotations).toEqual({ owner: 'me' })
  })
})

describe('mismatches', () => {
  const report = jobReport('linux/amd64')
  const stored = (digest: string, wire: number, architecture = 'amd64'): VerifiedGroup => ({
    images: [{ mediaType: 'm', digest, size: 1, platform: { os: 'linux', architecture }, wire }],
    attestations: []
  })

  it('finds none when the registry holds what the report says', () => {
    expect(mismatches('a.json', report, stored(hex('a'), 1973290))).toEqual([])
  })

  it('names another digest, another size, a platform missing or one the report does not measure', () => {
    expect(mismatches('a.json', report, stored(hex('e'), 1973290))).toEqual([
      `a.json: linux/amd64 is ${hex('e')} in the registry, but its report says ${hex('a')}`
    ])
    expect(mismatches('a.json', report, stored(hex('a'), 5))).toEqual([
      'a.json: linux/amd64 is 5 bytes on the wire in the registry, but its report measured 1973290'
    ])
    expect(mismatches('a.json', report, stored(hex('a'), 5, 'arm64'))).toEqual([
      `a.json: linux/amd64 is not in what the registry holds at ${hex('a')} (it holds linux/arm64)`,
      `a.json: the registry holds linux/arm64 at ${hex('a')}, which its report does not measure`
    ])
  })
})

describe('combineReports', () => {
  it("makes one report of every platform's, the gate failing when one job's did", () => {
    const amd = { ...jobReport('linux/amd64'), gate: { result: 'pass' as const, failures: [], skipped: [], checked: 1, limits: 'max-size 8 MiB' } }
    const arm = {
      ...jobReport('linux/arm64', { wire: 2000000 }),
      gate: { result: 'fail' as const, failures: ['linux/arm64: over'], skipped: [], checked: 1, limits: 'max-size 8 MiB' }
    }
    const merged = combineReports([amd, arm], { tags: ['ghcr.io/acme/api:1'], failures: [] })
    expect(merged.measurement.images.map(i => [i.platform, i.wire])).toEqual([
      ['linux/amd64', 1973290],
      ['linux/arm64', 2000000]
    ])
    expect(merged.binaries.map(b => b.platform)).toEqual(['linux/amd64', 'linux/arm64'])
    expect(merged.gate).toEqual({ result: 'fail', failures: ['linux/arm64: over'], skipped: [], checked: 2, limits: 'max-size 8 MiB' })
    expect(merged.tags).toEqual(['ghcr.io/acme/api:1'])
    // No index was written: no digest names the merged image.
    expect(merged.digest).toBeUndefined()
    expect(merged.published).toBeUndefined()
  })

  it('says so when the platforms were compared with bases from different places', () => {
    const base = (source: 'build' | 'cache') => ({ source, ref: 'f'.repeat(40), images: [] as Array<{ platform: string; wire: number }> })
    const amd = { ...jobReport('linux/amd64'), baseline: { ...base('cache'), images: [{ platform: 'linux/amd64', wire: 1900000 }] } }
    const arm = { ...jobReport('linux/arm64'), baseline: { ...base('build'), images: [{ platform: 'linux/arm64', wire: 1900000 }] } }
    const merged = combineReports([amd, arm], { tags: [], failures: [] })
    expect(merged.baseline?.images.map(i => i.platform)).toEqual(['linux/amd64', 'linux/arm64'])
    expect(merged.warnings.at(-1)).toMatch(
      /^The platforms were compared with bases from different places: linux\/amd64: .*Actions cache.* linux\/arm64: .*rebuilt in this run\.$/
    )
  })

  it("puts the jobs' histories together, each commit with every platform, and draws one chart of the largest", () => {
    const point = (commit: string, platform: string, wire: number) => ({
      commit,
      goVersion: 'go1.26.0',
      shape: 'f'.repeat(32),
      images: [{ platform, wire, binary: 1 }]
    })
    const history = (platform: string, wires: number[]) => ({
      branch: 'main',
      points: wires.map((wire, i) => point(String(i + 1).repeat(40), platform, wire)),
      head: { number: 3, images: [{ platform, wire: wires.at(-1)! + 10, binary: 1 }] }
    })
    const amd = { ...jobReport('linux/amd64'), history: history('linux/amd64', [100, 200]) }
    // The arm64 job's history is shorter: its first commit was measured before the platform was added.
    const arm = { ...jobReport('linux/arm64'), history: { ...history('linux/arm64', [300]), points: [point('2'.repeat(40), 'linux/arm64', 300)] } }
    const merged = combineReports([amd, arm], { tags: [], failures: [] })
    expect(merged.history?.points.map(p => [p.commit[0], p.images.map(i => i.platform)])).toEqual([
      ['1', ['linux/amd64']],
      ['2', ['linux/amd64', 'linux/arm64']]
    ])
    expect(merged.history?.head?.images.map(i => i.platform)).toEqual(['linux/amd64', 'linux/arm64'])
    const text = renderMerged([merged])
    expect(text).toContain('**Size history** (linux/arm64, the largest of 2 platforms): one measured commit of `main` so far')
    expect(text.match(/```mermaid/g)).toHaveLength(1)
    // A commit only the shorter history has goes where its date puts it.
    const dated = (commit: string, platform: string, date: string) => ({ ...point(commit, platform, 1), date })
    const first = {
      ...amd,
      history: {
        branch: 'main',
        points: [dated('1'.repeat(40), 'linux/amd64', '2026-01-01T00:00:00Z'), dated('3'.repeat(40), 'linux/amd64', '2026-01-03T00:00:00Z')]
      }
    }
    const second = { ...arm, history: { branch: 'main', points: [dated('2'.repeat(40), 'linux/arm64', '2026-01-02T00:00:00Z')] } }
    expect(combineReports([first, second], { tags: [], failures: [] }).history?.points.map(p => p.commit[0])).toEqual(['1', '2', '3'])
    // Several images: a chart each, in each image's section.
    const other = { ...merged, image: 'acme/worker', tags: ['acme/worker:1'] }
    expect(renderMerged([merged, other]).match(/```mermaid/g)).toHaveLength(2)
  })

  it('mergeGates: none given is none; all skipped stays skipped', () => {
    expect(mergeGates([undefined])).toBeUndefined()
    expect(mergeGates([{ result: 'skipped', failures: [], skipped: ['x'], checked: 0, limits: 'a' }])?.result).toBe('skipped')
  })
})

describe('renderMerged', () => {
  it("one image reads as one job's report of every platform", () => {
    const merged = combineReports([jobReport('linux/amd64'), jobReport('linux/arm64')], { tags: ['ghcr.io/acme/api:1'], failures: [] })
    const text = renderMerged([merged])
    expect(text.split('\n')[0]).toBe('### 📦 Go Slim Image: `ghcr.io/acme/api:1`')
    expect(text).toContain('| linux/amd64 |')
    expect(text).toContain('| linux/arm64 |')
  })

  it('several images: one headline for the whole change, a row and a section each', () => {
    const withBase = (report: Report, base: number): Report => ({
      ...report,
      baseline: { source: 'build', ref: 'f'.repeat(40), images: [{ platform: 'linux/amd64', wire: base }] }
    })
    const api = withBase(jobReport('linux/amd64', { wire: 2_000_000 }), 1_990_000)
    const worker = withBase(jobReport('linux/amd64', { image: 'ghcr.io/acme/worker' }), 1973290)
    const text = renderMerged([api, worker])
    const lines = text.split('\n')
    expect(lines[0]).toBe('### 📦 Go Slim Image: 2 images, **+9.77 KiB** on the wire in all 📈 · only `ghcr.io/acme/api:v1.2.3`')
    expect(lines).toContain('| `ghcr.io/acme/api:v1.2.3` | **1.91 MiB** | 1.9 MiB | +9.77 KiB (+0.5%) | – |')
    expect(lines).toContain('| `ghcr.io/acme/worker:v1.2.3` | **1.88 MiB** | 1.88 MiB | ±0 | – |')
    expect(lines.filter(line => line.startsWith('#### 📦 '))).toEqual([
      expect.stringContaining('ghcr.io/acme/api:v1.2.3'),
      expect.stringContaining('ghcr.io/acme/worker:v1.2.3')
    ])
  })
})

describe('a refused merge says why in its first words', () => {
  it('a registry that gave no answer is said as that, never as a registry that disagrees', () => {
    expect(refusalHead([{ kind: 'unread', lines: ['a'] }])).toBe('the registry could not be read')
    expect(refusalHead([{ kind: 'differs', lines: ['a'] }])).toBe('what the registry holds is not what the reports say')
    expect(
      refusalHead([
        { kind: 'unread', lines: ['a'] },
        { kind: 'differs', lines: ['b'] }
      ])
    ).toMatch(/^the registry could not be read for every report/)
  })
})
