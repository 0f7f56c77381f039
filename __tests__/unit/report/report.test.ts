import { baselineOrigin } from '../../../src/report/comparison.js'
import { fitMarkdown } from '../../../src/report/fit.js'
import { renderMarkdown } from '../../../src/report/markdown.js'
import { savedText } from '../../../src/report/tradeoff.js'
import { sampleReport as report, sampleReport } from '../report-fixture.js'

describe('report', () => {
  it('renders one realistic report', () => {
    expect(renderMarkdown(report)).toMatchSnapshot()
  })
  it('renders a comparison with its budget', () => {
    const text = renderMarkdown({
      ...report,
      baseline: { source: 'build', ref: 'f'.repeat(40), images: [{ platform: 'linux/amd64', wire: 1900000, unpacked: 2000000, binary: 1800000 }] },
      gate: { result: 'fail', failures: ['linux/amd64: the image grew by 3.86%'], skipped: [], checked: 1, limits: 'max-increase 1%' }
    })
    expect(text).toMatchSnapshot()
    expect(text).toContain('📈')
  })

  it('says where the base came from: rebuilt, or measured by an earlier run and read from the cache', () => {
    const sha = 'a'.repeat(40)
    const images = [{ platform: 'linux/amd64', wire: 1900000 }]
    const link = `https://github.com/acme/hello/commit/${sha}`
    expect(baselineOrigin({ source: 'build', ref: sha, link, images })).toBe(`Compared with base commit [\`aaaaaaaaaaaa\`](${link}), rebuilt in this run.`)
    expect(baselineOrigin({ source: 'build', ref: sha, images })).toBe('Compared with base commit `aaaaaaaaaaaa`, rebuilt in this run.')
    expect(baselineOrigin({ source: 'cache', ref: sha, link, run: 'https://github.com/acme/hello/actions/runs/7', images })).toBe(
      `Compared with base commit [\`aaaaaaaaaaaa\`](${link}): baseline from the Actions cache, measured by [an earlier run](https://github.com/acme/hello/actions/runs/7); nothing of the base was rebuilt.`
    )
    expect(baselineOrigin({ source: 'image', ref: 'ghcr.io/acme/hello:main', images })).toBe('Compared with `ghcr.io/acme/hello:main`.')
  })

  it('says nothing was compared when there is no baseline, only why', () => {
    const text = renderMarkdown({
      ...report,
      baseline: { source: 'build', ref: '', images: [], error: 'the base could not be built: the base commit 718efda could not be fetched from origin' }
    })
    expect(text).toContain('> No baseline: the base could not be built')
    expect(text).not.toContain('Compared with')
  })

  it('names a toolchain change between a cached base and the change as a cause', () => {
    const baseline = { source: 'cache' as const, ref: 'a'.repeat(40), goVersion: 'go1.25.4', images: [{ platform: 'linux/amd64', wire: 1900000 }] }
    const text = renderMarkdown({ ...report, baseline })
    expect(text.split('\n')[0]).toContain(`· Go \`go1.25.4\` → \`${report.goVersion}\``)
    expect(text).toContain(`> The base was built with \`go1.25.4\` and this change with \`${report.goVersion}\`: part of the difference is the toolchain's.`)
    expect(renderMarkdown({ ...report, baseline: { ...baseline, goVersion: report.goVersion } })).not.toContain('toolchain')
  })

  it('says where the exact figures come from on the docker-save route', () => {
    const text = renderMarkdown({ ...report, measurement: { ...report.measurement, route: 'docker-save' } })
    expect(text).not.toContain('(est.)')
    expect(text).toContain('the image `docker save` gave (this builder cannot export OCI), its layers gzipped here')
  })
  it('puts a failure first, and shows what the smoke test wrote on stderr', () => {
    const failed = {
      ...report,
      smoke: { args: ['version'], stdout: '', stderr: 'panic: open config.yaml: no such file', error: 'smoke test: hello:1 version exited with 2' },
      failures: ['smoke test: hello:1 version exited with 2']
    }
    const lines = renderMarkdown(failed).split('\n')
    expect(lines[2]).toBe('> [!CAUTION]')
    expect(lines[3]).toBe('> smoke test: hello:1 version exited with 2')
    expect(lines.join('\n')).toContain('Smoke test stderr: `panic: open config.yaml: no such file`')
  })

  it('speaks of the largest platform, never of a sum no pull downloads', () => {
    const arm = { ...report.measurement.images[0], platform: 'linux/arm64', wire: 3_000_000 }
    const text = renderMarkdown({ ...report, measurement: { ...report.measurement, images: [report.measurement.images[0], arm] } })
    expect(text).toContain('Image: **2.86 MiB** on the wire (linux/arm64, the largest of 2 platforms)')
  })
  it('says in a saved column what was saved, and in words when it grew', () => {
    expect(savedText(3_921_534, 5_767_330)).toBe('3.74 MiB (68.0%)')
    expect(savedText(0, 5_767_330)).toBe('0 B (0.0%)')
    expect(savedText(-200_000, 2_455_866)).toBe('none: 195.31 KiB more (8.1%)')
    expect(renderMarkdown(report)).toContain('| linux/amd64 | 3.74 MiB (68.0%) | 596.42 KiB (24.9%) |')
    expect(renderMarkdown(report)).not.toMatch(/\| −[\d.]+ \w+ \(/)
  })

  it('keeps each warning an alert of its own', () => {
    const text = renderMarkdown({ ...report, warnings: ['first', 'second'] })
    expect(text).toContain('\n\n> [!WARNING]\n> first\n\n> [!WARNING]\n> second')
  })
})

describe('fitting the report to a size limit', () => {
  const report = [
    '### 📦 Go Slim Image: 2.1 MiB',
    '',
    '> [!CAUTION]',
    '> smoke test failed',
    '',
    '<details><summary>Why it grew</summary>',
    '',
    'x'.repeat(5000),
    '',
    '</details>',
    '',
    '<details><summary>Details</summary>',
    '',
    'y'.repeat(5000),
    '',
    '</details>',
    ''
  ].join('\n')

  it('leaves a report under the limit as it is', () => expect(fitMarkdown(report, 20_000)).toBe(report))

  it('empties the collapsed sections first, the last first, and keeps the verdict', () => {
    const fitted = fitMarkdown(report, 7000)
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(7000)
    expect(fitted).toContain('x'.repeat(5000))
    expect(fitted).not.toContain('yyyy')
    expect(fitted).toMatch(/<details><summary>Details<\/summary>\n\n\(left out here to keep the report under GitHub's size limit/)
    expect(fitted.startsWith('### 📦 Go Slim Image: 2.1 MiB\n\n> [!CAUTION]\n> smoke test failed')).toBe(true)
  })

  it('empties a nested section before the one around it, and the outer one next if that is not enough', () => {
    const nested = [
      '### headline',
      '',
      '<details><summary>What the linux/amd64 binary is made of</summary>',
      '',
      'o'.repeat(3000),
      '',
      '<details><summary>The 40 packages of example.com/app</summary>',
      '',
      'p'.repeat(3000),
      '',
      '</details>',
      '',
      'tail of the outer section',
      '</details>',
      ''
    ].join('\n')
    const inner = fitMarkdown(nested, 4500)
    expect(inner).toContain('o'.repeat(3000))
    expect(inner).not.toContain('pppp')
    expect(inner).toContain('tail of the outer section\n</details>')
    expect(inner.match(/<\/details>/g)).toHaveLength(2)
    const outer = fitMarkdown(nested, 1000)
    expect(outer).not.toContain('oooo')
    expect(outer).not.toContain('packages of')
    expect(outer).toMatch(/^### headline\n\n<details><summary>What the linux\/amd64 binary is made of<\/summary>\n\n\(left out here/)
    expect(outer.match(/<\/details>/g)).toHaveLength(1)
  })

  it('cuts the end when the sections are not enough, on a line, within the limit', () => {
    const long = `### headline\n\n> [!CAUTION]\n> failed\n\n${'€ line\n'.repeat(3000)}`
    const fitted = fitMarkdown(long, 1000)
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(1000)
    expect(fitted).toMatch(/^### headline\n\n> \[!CAUTION\]\n> failed\n/)
    expect(fitted).toMatch(/€ line\n\n… \(the rest is left out here/)
  })

  it('flags a version not injected in the headline, but not one whose variable was said to be none', () => {
    const headline = (variable: string) =>
      renderMarkdown({ ...sampleReport, injections: [{ role: 'version', variable, injected: false }] })
        .split('\n')
        .find(line => line.startsWith('Image:'))
    expect(headline('main.Version')).toContain('(not injected')
    expect(headline('none')).not.toContain('not injected')
  })
})
