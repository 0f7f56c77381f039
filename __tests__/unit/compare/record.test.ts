import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ownRun } from '../../../src/compare/baseline.js'
import { cacheService, readWorker, RESULT_MARK, workerPlan } from '../../../src/compare/cache.js'
import { deferStore, readEntry } from '../../../src/compare/deferred.js'
import { fingerprintOf, shapingGroups, type ImageShape } from '../../../src/compare/fingerprint.js'
import { runUrl } from '../../../src/compare/memory.js'
import { parseRecord } from '../../../src/compare/record-schema.js'
import { baseImagesOf, keyCommit, lineagePrefix, RECORD_FORMAT, recordKey, shapePrefix, type MeasurementRecord } from '../../../src/compare/record.js'
import { readSettings } from '../../../src/settings/settings.js'
import { actionInputs } from '../inputs.js'

const commit = '0123456789abcdef0123456789abcdef01234567'

const record: MeasurementRecord = {
  format: RECORD_FORMAT,
  commit,
  run: 'https://github.com/acme/hello/actions/runs/1',
  goVersion: 'go1.26.0',
  images: [
    {
      platform: 'linux/amd64',
      wire: 2790278,
      unpacked: 2952192,
      configSize: 1337,
      layers: [
        { size: 126310, unpacked: 224768 },
        { size: 2662631, unpacked: 2727424 }
      ],
      binary: 2724808,
      zstd: { level: 19, wire: 2361402 },
      breakdown: {
        binary: 5767330,
        explained: 3177695,
        rows: [{ key: 'standard library', kind: 'std', bytes: 2257244 }],
        info: { mainPackage: 'example.com/hello', mainModule: 'example.com/hello', deps: [{ path: 'golang.org/x/text', version: 'v0.20.0' }] }
      }
    }
  ]
}

describe('a stored measurement', () => {
  it('reads back what was stored, as the comparison reads a base', () => {
    const { record: read, why } = parseRecord(JSON.stringify(record), commit, ['linux/amd64'])
    expect(why).toBeUndefined()
    expect(read).toEqual(record)
    expect(baseImagesOf(read!)).toEqual([
      {
        platform: 'linux/amd64',
        wire: 2790278,
        unpacked: 2952192,
        configSize: 1337,
        binary: 2724808,
        breakdown: record.images[0].breakdown,
        zstd: { level: 19, wire: 2361402 }
      }
    ])
  })

  it.each([
    ['not JSON', '{"format":2,', /^it is not JSON/],
    ['another format', JSON.stringify({ ...record, format: RECORD_FORMAT - 1 }), /^it does not match the format \(format: /],
    ['a negative size', JSON.stringify({ ...record, images: [{ ...record.images[0], wire: -1 }] }), /^it does not match the format \(images\.0\.wire: /],
    [
      'a row of an unknown kind',
      JSON.stringify({
        ...record,
        images: [{ ...record.images[0], breakdown: { ...record.images[0].breakdown, rows: [{ key: 'x', kind: 'alien', bytes: 1 }] } }]
      }),
      /images\.0\.breakdown\.rows\.0\.kind/
    ],
    ['a zstd level zstd has not', JSON.stringify({ ...record, images: [{ ...record.images[0], zstd: { level: 99, wire: 1 } }] }), /\(images\.0\.zstd\.level: /],
    ['no images', JSON.stringify({ ...record, images: [] }), /images/],
    ['a run link that ends the Markdown link', JSON.stringify({ ...record, run: 'https://x/)[click](https://evil' }), /^it does not match the format \(run: /],
    ['a run link that is not http(s)', JSON.stringify({ ...record, run: 'javascript:alert(1)' }), /\(run: /],
    ['a Go release with Markdown in it', JSON.stringify({ ...record, goVersion: 'go1.26 <img src=x>' }), /\(goVersion: /],
    ['another commit', JSON.stringify({ ...record, commit: 'f'.repeat(40) }), /^it is the measurement of ffffffffffff, not of 0123456789ab$/],
    ...(
      [
        [
          'a module key that is not an import path',
          { key: 'example.com/x [l](https://attacker.example) @acme-team', kind: 'module', bytes: 1 },
          /rows\.0\.key: an import path/
        ],
        [
          'a replacement holding HTML',
          { key: 'example.com/x', kind: 'module', version: 'v1.0.0 => ./lib <img src=x>', bytes: 1 },
          /rows\.0\.version: a version or a replacement/
        ],
        ['a row name with a link', { key: '[l](https://attacker.example)', kind: 'other', bytes: 1 }, /rows\.0\.key: a row name/]
      ] as const
    ).map(([what, row, why]) => [
      what,
      JSON.stringify({ ...record, images: [{ ...record.images[0], breakdown: { ...record.images[0].breakdown, rows: [row] } }] }),
      why
    ]),
    [
      'a dependency whose version is not one',
      JSON.stringify({
        ...record,
        images: [
          {
            ...record.images[0],
            breakdown: { ...record.images[0].breakdown, info: { ...record.images[0].breakdown!.info, deps: [{ path: 'example.com/x', version: 'v1 `x`' }] } }
          }
        ]
      }),
      /deps\.0\.version: a module version/
    ]
  ] as Array<[string, string, RegExp]>)('is refused when it is %s', (_, text, why) => {
    const read = parseRecord(text, commit, ['linux/amd64'])
    expect(read.record).toBeUndefined()
    expect(read.why).toMatch(why)
  })

  it('is refused when it lacks a platform this run compares', () => {
    expect(parseRecord(JSON.stringify(record), commit, ['linux/amd64', 'linux/arm64']).why).toBe('it has no measurement of linux/arm64')
  })

  it('is keyed by format, lineage, fingerprint and commit, so that the prefixes find the latest of a shape and of a lineage', () => {
    const key = recordKey('a'.repeat(12), 'f'.repeat(32), commit)
    expect(key).toBe(`go-slim-image-m${RECORD_FORMAT}-${'a'.repeat(12)}-${'f'.repeat(32)}-${commit}`)
    expect(key.startsWith(shapePrefix('a'.repeat(12), 'f'.repeat(32)))).toBe(true)
    expect(key.startsWith(lineagePrefix('a'.repeat(12)))).toBe(true)
    expect(key.startsWith(lineagePrefix('b'.repeat(12)))).toBe(false)
    expect(keyCommit(key)).toBe(commit)
    // A key another workflow saved under the prefix, of any other shape, names no commit and is never read.
    for (const planted of [
      `${lineagePrefix('a'.repeat(12))}x\n::error::y-${commit}`,
      `${key}-${commit}`,
      `${shapePrefix('a'.repeat(12), 'f'.repeat(32))}../${commit}`
    ]) {
      expect(keyCommit(planted)).toBeUndefined()
    }
  })

  it('keeps a history of checked points, and is refused when a point could carry markup into the chart', () => {
    const point = {
      commit,
      date: '2026-12-01T10:00:00Z',
      version: 'v1.4.0"]; click',
      goVersion: 'go1.26.0',
      shape: 'f'.repeat(32),
      images: [{ platform: 'linux/amd64', wire: 1, binary: 2 }]
    }
    expect(parseRecord(JSON.stringify({ ...record, history: [point] }), commit, ['linux/amd64']).record?.history).toEqual([point])
    for (const bad of [
      { commit: 'abc' },
      { shape: 'x'.repeat(32) },
      { goVersion: 'go1"]' },
      { images: [{ platform: 'linux/amd64"]', wire: 1, binary: 2 }] },
      { images: [{ platform: 'linux/amd64', wire: -1, binary: 2 }] },
      { date: 'yesterday' },
      { version: 'v1\n::warning::x' }
    ]) {
      expect(parseRecord(JSON.stringify({ ...record, history: [{ ...point, ...bad }] }), commit, ['linux/amd64']).why).toMatch(
        /^it does not match the format \(history\.0\./
      )
    }
  })
})

describe('the fingerprint', () => {
  /** A repository with the module in service/ and a file the image takes, checked out at `top`. */
  function checkout(): string {
    const top = mkdtempSync(path.join(tmpdir(), 'fingerprint-'))
    mkdirSync(path.join(top, 'service/static'), { recursive: true })
    writeFileSync(path.join(top, 'service/go.mod'), 'module example.com/shop\n\ngo 1.26\n')
    writeFileSync(path.join(top, 'service/static/index.html'), '<p>shop</p>\n')
    return top
  }
  const facts = { goEnv: { GOFLAGS: '', GOAMD64: 'v1' }, stage: 'a'.repeat(64), route: 'oci' as const }
  const printOf = (top: string, inputs: Record<string, string> = {}) => {
    const settings = readSettings(actionInputs({ 'working-directory': 'service', ...inputs }), { GITHUB_WORKSPACE: top })
    return fingerprintOf({ settings: shapingGroups(settings, top), ...facts })
  }
  const top = checkout()

  it('is the same for the same inputs in another checkout (another runner, another path)', () => {
    expect(printOf(checkout(), { files: 'service/static:/srv/static' })).toBe(printOf(top, { files: 'service/static:/srv/static' }))
    expect(printOf(top)).toMatch(/^[0-9a-f]{32}$/)
  })

  it.each([
    ['package', { package: './cmd/worker' }],
    ['ldflags', { ldflags: '-X main.extra=1' }],
    ['build-flags', { 'build-flags': '-tags=netgo' }],
    ['platforms', { platforms: 'linux/amd64,linux/arm64' }],
    ['upx', { upx: 'lzma' }],
    ['compression', { compression: 'zstd' }],
    ['final-stage', { 'final-stage': 'scratch' }],
    ['labels', { labels: 'team=a' }],
    ['version', { version: '1.2.3' }],
    ['version-variable', { 'version-variable': 'main.version' }],
    ['expose', { expose: '8080' }],
    ['args', { args: 'serve' }],
    ['workdir', { workdir: '/data' }],
    ['tzdata', { tzdata: 'true' }],
    ['files', { files: 'service/static:/srv/static' }]
  ])('changes with %s, which shapes the image', (_, inputs) => expect(printOf(top, inputs)).not.toBe(printOf(top)))

  it.each([
    ['tags and push', { tags: 'ghcr.io/acme/shop:1', push: 'true' }],
    ['builder', { builder: 'builder-3f2e1d' }],
    ['comment', { comment: 'false', 'comment-key': 'other' }],
    ['the budget', { 'max-size': '20MB' }],
    ['the smoke test', { 'smoke-test': 'version' }],
    ['baseline-cache', { 'baseline-cache': 'false' }]
  ])('stays with %s, which do not', (_, inputs) => expect(printOf(top, inputs)).toBe(printOf(top)))

  it('changes with what the settings do not say: Go variables, the UPX release, the stage files, the base image, the route', () => {
    const settings = shapingGroups(readSettings(actionInputs({ 'working-directory': 'service' }), { GITHUB_WORKSPACE: top }), top)
    const shape: ImageShape = { settings, ...facts }
    const changed: Array<Partial<ImageShape>> = [
      { goEnv: { GOFLAGS: '-mod=vendor', GOAMD64: 'v1' } },
      { goEnv: { GOFLAGS: '', GOAMD64: 'v3' } },
      { upxTool: 'b'.repeat(64) },
      { stage: 'c'.repeat(64) },
      { baseImage: 'sha256:' + 'd'.repeat(64) },
      { source: 'https://github.com/acme/shop' },
      { route: 'docker-save' }
    ]
    const prints = new Set([shape, ...changed.map(c => ({ ...shape, ...c }))].map(fingerprintOf))
    expect(prints.size).toBe(changed.length + 1)
  })
})

describe('the cache worker', () => {
  it('runs in the entry folder with a relative path, so the entry is the same on every runner', () => {
    const plan = workerPlan('restore', 'k', '/runner/temp/go-slim-image-measurement')
    expect(plan.args.slice(1)).toEqual(['cache', 'restore', 'k', 'measurement.json'])
    expect(plan.cwd).toBe('/runner/temp/go-slim-image-measurement')
    expect(plan.env).toEqual({ GITHUB_WORKSPACE: '/runner/temp/go-slim-image-measurement' })
  })
  it("reads the outcome, and the toolkit's own warning when it swallowed one", () => {
    expect(readWorker(`::debug::x\n${RESULT_MARK}{"hit":true}\n`)).toEqual({ hit: true })
    expect(readWorker(`::warning::Failed to restore: Cache service responded with 500\n${RESULT_MARK}{"hit":false}\n`)).toEqual({
      hit: false,
      why: 'Failed to restore: Cache service responded with 500'
    })
    expect(readWorker('killed before it said anything').why).toBe('the cache worker gave no answer')
  })
  it('finds the service the runner gives: v1 (act, GHES), or v2 when the runner says so', () => {
    expect(cacheService({})).toBeUndefined()
    expect(cacheService({ ACTIONS_CACHE_URL: 'http://127.0.0.1:1/' })).toBe('http://127.0.0.1:1/')
    expect(cacheService({ ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_CACHE_URL: 'http://a/' })).toBeUndefined()
    expect(cacheService({ ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: 'http://b/' })).toBe('http://b/')
  })
  it('links the run that measured, with its attempt when it is not the first', () => {
    const env = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/hello', GITHUB_RUN_ID: '9' }
    expect(runUrl(env)).toBe('https://github.com/acme/hello/actions/runs/9')
    expect(runUrl({ ...env, GITHUB_RUN_ATTEMPT: '2' })).toBe('https://github.com/acme/hello/actions/runs/9/attempts/2')
    expect(runUrl({})).toBeUndefined()
  })
})

describe('a store left for the post step', () => {
  const key = recordKey('0123456789ab', '0123456789abcdef0123456789abcdef', commit)

  it('is read back as it was left, in the order left', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'deferred-'))
    await deferStore(workDir, { key, record, layout: path.join(workDir, 'oci') })
    await deferStore(workDir, { key, record })
    expect(await readEntry(path.join(workDir, 'stores', '0000.json'), workDir)).toEqual({ key, record, layout: path.join(workDir, 'oci') })
    expect(await readEntry(path.join(workDir, 'stores', '0001.json'), workDir)).toEqual({ key, record })
  })

  it.each([
    ['a key of another shape', { key: 'go-slim-image-m2-x', record }, /^its key is not one of this action$/],
    [
      'a key of another commit',
      { key: recordKey('0123456789ab', '0123456789abcdef0123456789abcdef', 'f'.repeat(40)), record },
      /^its key names another commit$/
    ],
    ['a record of another shape', { key, record: { ...record, run: 'javascript:alert(1)' } }, /^it does not match the format \(run/],
    ['a layout that is not a path', { key, record, layout: ['/'] }, /^its layout is not in the run's folder$/],
    ['a layout outside the run', { key, record, layout: '/home/runner/work' }, /^its layout is not in the run's folder$/],
    ['a layout that climbs out of the run', { key, record, layout: 'oci/../../elsewhere' }, /^its layout is not in the run's folder$/],
    ['the run folder itself as its layout', { key, record, layout: '.' }, /^its layout is not in the run's folder$/]
  ])('is refused, never stored, when it holds %s', async (_, entry, why) => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'deferred-'))
    const file = path.join(workDir, '0000.json')
    writeFileSync(file, JSON.stringify(entry))
    expect(await readEntry(file, workDir)).toMatch(why)
  })
})

describe("a stored run link is shown only when it is one of this repository's runs", () => {
  const settings = { github: { serverUrl: 'https://github.example.com', repository: 'acme/hello' } } as Parameters<typeof ownRun>[0]
  it.each([
    ['https://github.example.com/acme/hello/actions/runs/42', true],
    ['https://github.example.com/acme/hello/actions/runs/42/attempts/2', true],
    ['https://github.example.com/acme/other/actions/runs/42', false],
    ['https://attacker.example/acme/hello/actions/runs/42', false],
    ['https://github.example.com/acme/hello/actions/runs/42/../../../../evil', false],
    ['https://github.example.com/acme/hello/actions/runs/42 "title"', false]
  ])('%s: %s', (url, shown) => expect(ownRun(settings, url)).toBe(shown ? url : undefined))
})
