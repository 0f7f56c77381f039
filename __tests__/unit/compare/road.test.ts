import { RECORD_FORMAT, type MeasurementRecord } from '../../../src/compare/record.js'
import { derivedFigures, measuredRoad, ROAD_DRIFT, scaledRoad } from '../../../src/compare/road.js'
import type { BaselineReport } from '../../../src/compare/types.js'
import type { Target } from '../../../src/measure/target.js'
import { renderMarkdown } from '../../../src/report/markdown.js'
import { type Report } from '../../../src/report/model.js'

const sha = 'b'.repeat(40)
const link = `https://github.com/acme/api/commit/${sha}`
const run = 'https://github.com/acme/api/actions/runs/9'

/** The head as measured: a config of 1,000 bytes and 4,001,000 bytes of gzip layers per platform. */
const head = {
  measurement: {
    route: 'oci',
    images: ['linux/amd64', 'linux/arm64'].map(platform => ({
      platform,
      manifestDigest: 'sha256:m',
      imageId: 'sha256:i',
      wire: 4_002_000,
      unpacked: 9_000_000,
      configSize: 1000,
      layers: []
    }))
  }
} as unknown as Target

/** The base: 3,000,000 bytes of gzip layers, which zstd 19 made 2,400,000 (amd64) and 2,550,000 (arm64). */
function base(extra: Partial<BaselineReport> = {}): BaselineReport {
  const image = (platform: string, zstd: number) => ({ platform, wire: 3_001_000, configSize: 1000, zstd: { level: 19, wire: zstd + 1000 } })
  return { source: 'cache', ref: sha, link, run, images: [image('linux/amd64', 2_400_000), image('linux/arm64', 2_550_000)], ...extra }
}

describe('the zstd road not taken', () => {
  it("scales each platform's layers by the share zstd took off the base's, and leaves the config as it is", () => {
    const road = scaledRoad(head, base())!
    // 20% and 15% off the base's layers: the head's 4,001,000 bytes of layers become 3,200,800 and 3,400,850.
    expect(road.images).toEqual([
      { platform: 'linux/amd64', wire: 1000 + 3_200_800 },
      { platform: 'linux/arm64', wire: 1000 + 3_400_850 }
    ])
    expect(road.scaledFrom).toMatchObject({ commit: sha, link, run, rebuilt: false })
    expect(road.scaledFrom!.saved.map(s => s.share.toFixed(3))).toEqual(['0.200', '0.150'])
  })

  it.each([
    ['the base has no zstd figure', base({ images: base().images.map(({ zstd: _, ...image }) => image) })],
    ['a platform has none', base({ images: [base().images[0]] })],
    ['it was measured at another level', base({ images: base().images.map(i => ({ ...i, zstd: { level: 3, wire: i.zstd!.wire } })) })],
    ['the base did not build', base({ images: [], error: 'the base could not be built' })],
    ['the base has no config size (an older entry)', base({ images: base().images.map(({ configSize: _, ...image }) => image) })]
  ])('is not scaled when %s', (_, baseline) => expect(scaledRoad(head, baseline)).toBeUndefined())

  it('is measured when nothing was', () => {
    expect(measuredRoad(undefined)).toBeUndefined()
    expect(measuredRoad(new Map([['linux/amd64', { level: 19, wire: 42 }]]))).toEqual({
      compression: 'zstd 19',
      images: [{ platform: 'linux/amd64', wire: 42 }]
    })
  })
})

describe('the road in the report', () => {
  const report = {
    image: 'acme/api',
    tags: [],
    version: { version: '0.1.0', build: 'undefined', origin: { kind: 'no-tag' } },
    goVersion: 'go1.26.0',
    goBuild: 'go build',
    upx: 'off',
    finalStage: 'scratch',
    binaries: [],
    measurement: head.measurement,
    timings: {},
    toolMs: 0,
    warnings: []
  } as unknown as Report

  it('says a measured figure is these very layers', () => {
    const text = renderMarkdown({ ...report, roadNotTaken: measuredRoad(new Map([['linux/amd64', { level: 19, wire: 3_201_800 }]])) })
    expect(text).toContain(
      '- linux/amd64: **3.05 MiB** on the wire with `compression: zstd` (zstd 19), −781.45 KiB (20.0%): measured by compressing these very layers here.'
    )
    expect(text).not.toContain('Scaled from')
  })

  it('says a scaled figure is about that much, and where the share came from', () => {
    const text = renderMarkdown({ ...report, roadNotTaken: scaledRoad(head, base()) })
    expect(text).toContain('- linux/amd64: **≈ 3.05 MiB** on the wire with `compression: zstd` (zstd 19), −781.45 KiB (20.0%).')
    expect(text).toContain(
      `Scaled from base commit [\`bbbbbbbbbbbb\`](${link}): zstd 19 took 20.0% (linux/amd64), 15.0% (linux/arm64) off its layers, measured by [an earlier run](${run}); these layers were not compressed again.`
    )
    expect(renderMarkdown({ ...report, roadNotTaken: scaledRoad(head, base({ source: 'build', link: undefined })) })).toContain(
      'Scaled from base commit `bbbbbbbbbbbb`: zstd 19 took 20.0% (linux/amd64), 15.0% (linux/arm64) off its layers, measured in this run;'
    )
  })
})

describe("a push's figure, from an earlier commit's", () => {
  const earlierSha = 'e'.repeat(40)
  const originSha = 'f'.repeat(40)
  /** An earlier commit's record: 4,000,000 bytes of layers (amd64 and arm64), which zstd 19 made 3,200,000. */
  const earlier = (from?: { commit: string; layers: number }): MeasurementRecord => ({
    format: RECORD_FORMAT,
    commit: earlierSha,
    goVersion: 'go1.26.0',
    images: ['linux/amd64', 'linux/arm64'].map(platform => ({
      platform,
      wire: 4_001_000,
      unpacked: 9_000_000,
      configSize: 1000,
      layers: [],
      binary: 8_000_000,
      zstd: { level: 19, wire: 3_201_000, ...(from ? { from } : {}) }
    }))
  })

  it('scales the layers by the share zstd took off the earlier ones, and keeps where the figure was measured', () => {
    const figures = derivedFigures(head.measurement.images, earlier())!
    expect(figures.get('linux/amd64')).toEqual({ level: 19, wire: 1000 + 3_200_800, from: { commit: earlierSha, layers: 4_000_000 } })
    expect(figures.get('linux/arm64')).toEqual({ level: 19, wire: 1000 + 3_200_800, from: { commit: earlierSha, layers: 4_000_000 } })
  })

  it(`measures again once the layers are more than ${ROAD_DRIFT * 100}% from the ones last compressed, however many commits scaled in between`, () => {
    // 4,001,000 bytes now: within 2% of 3,950,000 (1.3%), not of 3,900,000 (2.6%).
    expect(derivedFigures(head.measurement.images, earlier({ commit: originSha, layers: 3_950_000 }))!.get('linux/arm64')!.from).toEqual({
      commit: originSha,
      layers: 3_950_000
    })
    expect(derivedFigures(head.measurement.images, earlier({ commit: originSha, layers: 3_900_000 }))).toBeUndefined()
    const bare = { ...earlier().images[0], zstd: undefined }
    expect(derivedFigures(head.measurement.images, { ...earlier(), images: [bare, earlier().images[1]] })).toBeUndefined()
  })
})
