import { execFileSync } from 'node:child_process'
import { breakBefore, extended, HISTORY_KEPT, type HistoryPoint } from '../../../src/compare/history.js'
import { fitMarkdown } from '../../../src/report/fit.js'
import { HISTORY_SUMMARY, renderHistory } from '../../../src/report/history.js'
import { renderMarkdown } from '../../../src/report/markdown.js'
import type { SizeHistory } from '../../../src/report/model.js'
import { sampleReport } from '../report-fixture.js'

const MiB = 1024 ** 2
const hex = (n: number) => `${n.toString(16)}${'a'.repeat(40)}`.slice(0, 40)
const point = (n: number, wire: number, more: Partial<HistoryPoint> = {}): HistoryPoint => ({
  commit: hex(n),
  version: `v1.${n}.0`,
  goVersion: 'go1.26.0',
  shape: 'f'.repeat(32),
  images: [{ platform: 'linux/amd64', wire, binary: wire - 1000 }],
  ...more
})

const render = (history: SizeHistory) => {
  const out: string[] = []
  renderHistory(history, out)
  return out.join('\n')
}
const chartOf = (text: string) => /```mermaid\n([\s\S]*?)\n```/.exec(text)?.[1] ?? ''

describe('the branch history kept with the measurements', () => {
  it('adds a point last, replaces a re-run commit, and keeps the last HISTORY_KEPT', () => {
    const many = Array.from({ length: HISTORY_KEPT }, (_, n) => point(n, MiB + n))
    const longer = extended(many, point(999, 2 * MiB))
    expect(longer).toHaveLength(HISTORY_KEPT)
    expect(longer[0].commit).toBe(hex(1))
    expect(longer.at(-1)!.commit).toBe(hex(999))
    const rerun = extended([point(1, MiB), point(2, MiB)], point(1, 3 * MiB))
    expect(rerun.map(p => [p.commit, p.images[0].wire])).toEqual([
      [hex(2), MiB],
      [hex(1), 3 * MiB]
    ])
    expect(extended(undefined, point(3, MiB))).toHaveLength(1)
  })

  it('marks a toolchain change, and a change of what shapes the image', () => {
    expect(breakBefore(undefined, point(1, 1))).toBeUndefined()
    expect(breakBefore(point(1, 1), point(2, 1))).toBeUndefined()
    expect(breakBefore(point(1, 1), point(2, 1, { goVersion: 'go1.27.0' }))).toEqual({ kind: 'toolchain', from: 'go1.26.0', to: 'go1.27.0' })
    expect(breakBefore(point(1, 1), point(2, 1, { shape: 'e'.repeat(32) }))).toEqual({ kind: 'settings' })
  })
})

describe('the size history in the report', () => {
  const history: SizeHistory = {
    branch: 'main',
    points: [
      point(1, 8 * MiB, { date: '2026-11-02T09:30:00Z' }),
      point(2, 8.5 * MiB),
      point(3, 9.125 * MiB, { goVersion: 'go1.27.0' }),
      point(4, 9.25 * MiB, { goVersion: 'go1.27.0' })
    ],
    head: { number: 7, images: [{ platform: 'linux/amd64', wire: 10 * MiB, binary: 1 }] },
    maxSize: 12 * MiB
  }

  it('says the drift, the largest step and the break in one line, and draws a bar per commit, the pull request last, max-size as a line', () => {
    const text = render(history)
    expect(text).toContain(
      '**Size history** (linux/amd64): +1.25 MiB (+16%) over the last 4 measured commits of `main` (since 2026-11-02); the largest step, +640 KiB, at `3aaaaaa` (`v1.3.0`); ' +
        'built with `go1.27.0` from `3aaaaaa` on (`go1.26.0` before).'
    )
    expect(chartOf(text)).toBe(
      [
        'xychart-beta',
        '  title "linux/amd64 image on the wire"',
        '  x-axis ["1aaaaaa", "2aaaaaa", "3aaaaaa (go1.27.0)", "4aaaaaa", "this PR"]',
        '  y-axis "MiB" 0 --> 13.200',
        '  bar [8.000, 8.500, 9.125, 9.250, 10.000]',
        '  line [12.000, 12.000, 12.000, 12.000, 12.000]'
      ].join('\n')
    )
    expect(text).toContain(
      `<details open><summary>${HISTORY_SUMMARY}: linux/amd64 on the wire, 4 commits, then this PR; the line is max-size, 12 MiB</summary>`
    )
  })

  it('follows the largest platform and says so, in KiB when the image is small', () => {
    const two = (n: number, amd: number, arm: number) =>
      point(n, amd, {
        images: [
          { platform: 'linux/amd64', wire: amd, binary: 1 },
          { platform: 'linux/arm64', wire: arm, binary: 1 }
        ]
      })
    const text = render({ branch: 'main', points: [two(1, 500 * 1024, 600 * 1024), two(2, 510 * 1024, 620 * 1024)] })
    expect(text).toContain('**Size history** (linux/arm64, the largest of 2 platforms): +20 KiB (+3%) over the last 2 measured commits')
    expect(chartOf(text)).toContain('  y-axis "KiB" 0 --> 682.0\n  bar [600.0, 620.0]')
    expect(chartOf(text)).not.toContain('line [')
  })

  it('shows a first commit as text only, and nothing without one', () => {
    expect(render({ branch: 'main', points: [point(1, MiB)] })).toBe(
      '**Size history** (linux/amd64): one measured commit of `main` so far, `1aaaaaa` at 1 MiB.\n'
    )
    expect(render({ branch: 'main', points: [] })).toBe('')
  })

  it('never places text from outside in the chart: versions, branch names and odd platforms stay in the line as code', () => {
    const hostile = 'v1"]\n  bar [999]\n```\n<img src=x onerror=alert(1)> @admin'
    const text = render({
      branch: 'x"] ; click call alert()',
      points: [point(1, MiB, { version: hostile }), point(2, 2 * MiB, { version: hostile, goVersion: 'go1.27"] ; bar [9' })]
    })
    const chart = chartOf(text)
    expect(chart).not.toMatch(/alert|999|img|admin|go1\.27/)
    expect(chart).toContain('"2aaaaaa (new Go)"')
    // Every label is hex or the action's own words; every value a number.
    for (const label of /x-axis \[(.*)\]/.exec(chart)![1].split(', '))
      expect(label).toMatch(/^"[0-9a-f]{7}(?: \((?:go[\d.]+|new Go|new settings)\))?"$|^"this (PR|run)"$/)
    expect(text).toContain('(````v1"]   bar [999] ``` <img src=x onerror=alert(1)> @admin````)')
    // As GitHub renders it: text, no element, no mention.
    const html = execFileSync('cmark-gfm', ['-e', 'table', '-e', 'autolink'], { input: text, encoding: 'utf8' })
    expect(html).not.toMatch(/<img|<a /)
    expect(html).toContain('<code>v1&quot;]   bar [999] ``` &lt;img src=x onerror=alert(1)&gt; @admin</code>')
  })

  it('abbreviates commits as git does, longer while two would share a label (Mermaid would draw them as one bar)', () => {
    const twins = [point(1, MiB, { commit: `abcdef01${'0'.repeat(32)}` }), point(2, MiB, { commit: `abcdef02${'0'.repeat(32)}` })]
    expect(chartOf(render({ points: twins }))).toContain('x-axis ["abcdef01", "abcdef02"]')
  })

  it('goes first when the report must be cut, the collapsed sections after it', () => {
    const report = { ...sampleReport, history }
    const full = renderMarkdown(report)
    expect(full).toContain('```mermaid')
    const fitted = fitMarkdown(full, Buffer.byteLength(full) - 10)
    expect(fitted).not.toContain('```mermaid')
    expect(fitted).toContain(`<details><summary>${HISTORY_SUMMARY}`)
    expect(fitted).toContain('**Size history** (linux/amd64)')
    // The collapsed sections the chart made room for are whole.
    expect(fitted.match(/left out here/g)).toHaveLength(1)
  })
})
