import { breakBefore, type Break, type HistoryPoint } from '../compare/index.js'
import { human, signedHuman } from './format.js'
import { code, htmlText, prose } from './md.js'
import type { SizeHistory } from './model.js'

/**
 * The branch's size over its measured commits: one line of text, and a Mermaid xychart GitHub draws in the comment and
 * the summary. Nothing from outside reaches the chart's syntax: its labels are hex digits, a checked platform and
 * Go release, and words of the action's own; its values are numbers formatted here. Pure.
 */

/** The chart's section starts so: fitMarkdown leaves it out first when the report must be cut. */
export const HISTORY_SUMMARY = '📈 Size history'

const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/
const PLATFORM = /^[a-z0-9]+\/[a-z0-9]+(?:\/[a-z0-9.]+)?$/
const GO_RELEASE = /^go\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?$/

interface Bar {
  /** 7 hex digits of the commit, or the action's own word for the run's own image. */
  label: string
  wire: number
  point?: HistoryPoint
  /** What changed from the bar before: marked on the chart and said in the text. */
  mark?: Break
}

/**
 * The commits' abbreviation: 7 hex digits, longer while two would share it (as git abbreviates): Mermaid draws one
 * band per distinct label, so two commits under one label would be drawn as one.
 */
function abbreviation(commits: string[]): (commit: string) => string {
  const known = [...new Set(commits.filter(c => COMMIT.test(c)))]
  let length = 7
  while (length < 40 && new Set(known.map(c => c.slice(0, length))).size < known.length) length++
  return commit => (COMMIT.test(commit) ? commit.slice(0, length) : '?')
}
const wireOf = (images: HistoryPoint['images'], platform: string) => images.find(i => i.platform === platform)?.wire
const finite = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0

/** The platform the chart follows: the largest at the last point, said when there are several. */
function platformOf(history: SizeHistory): { platform: string; said: string } | undefined {
  const last = history.head?.images ?? history.points.at(-1)?.images
  if (!last || last.length === 0) return undefined
  const top = last.reduce((a, b) => (b.wire > a.wire ? b : a))
  return { platform: top.platform, said: last.length === 1 ? '' : `, the largest of ${last.length} platforms` }
}

/** The commits that have the platform, each with what changed from the one before, then the run's own image. */
function barsOf(history: SizeHistory, platform: string): Bar[] {
  const bars: Bar[] = []
  const short = abbreviation(history.points.map(p => p.commit))
  let previous: HistoryPoint | undefined
  for (const point of history.points) {
    const wire = wireOf(point.images, platform)
    if (!finite(wire)) continue
    bars.push({ label: short(point.commit), wire, point, mark: breakBefore(previous, point) })
    previous = point
  }
  const head = history.head && wireOf(history.head.images, platform)
  if (finite(head)) bars.push({ label: history.head!.number === undefined ? 'this run' : 'this PR', wire: head })
  return bars
}

function markText(bar: Bar): string {
  if (bar.mark?.kind === 'toolchain') {
    return `built with ${code(bar.mark.to, 60)} from ${code(bar.label)} on (${code(bar.mark.from, 60)} before)`
  }
  return `the image's settings changed at ${code(bar.label)}`
}

/** The one line for readers without the chart: the drift over the branch's commits, its largest step, the breaks. */
function historyLine(history: SizeHistory, bars: Bar[], platform: string): string {
  const branch = history.branch ? ` of ${code(history.branch, 100)}` : ''
  const commits = bars.filter(b => b.point)
  const parts: string[] = []
  if (commits.length === 1) parts.push(`one measured commit${branch} so far, ${code(commits[0].label)} at ${human(commits[0].wire)}`)
  if (commits.length > 1) {
    const [first, last] = [commits[0], commits.at(-1)!]
    const drift = last.wire - first.wire
    const share = first.wire === 0 ? '' : ` (${drift >= 0 ? '+' : '−'}${((Math.abs(drift) / first.wire) * 100).toFixed(0)}%)`
    const steps = commits.slice(1).map((bar, i) => ({ bar, delta: bar.wire - commits[i].wire }))
    const largest = steps.reduce((a, b) => (Math.abs(b.delta) > Math.abs(a.delta) ? b : a))
    const version = largest.bar.point?.version ? ` (${code(largest.bar.point.version, 60)})` : ''
    const day = /^\d{4}-\d\d-\d\d/.exec(first.point?.date ?? '')?.[0]
    parts.push(
      `${drift === 0 ? '±0' : signedHuman(drift)}${share} over the last ${commits.length} measured commits${branch}${day ? ` (since ${day})` : ''}` +
        (largest.delta === 0 ? '' : `; the largest step, ${signedHuman(largest.delta)}, at ${code(largest.bar.label)}${version}`)
    )
  }
  const marked = commits.filter(b => b.mark)
  parts.push(...marked.slice(-3).map(markText))
  if (marked.length > 3) parts.push(`${marked.length - 3} earlier changes of toolchain or settings`)
  return `**Size history** (${prose(platform)}): ${parts.join('; ')}.`
}

/** The y axis' unit: MiB from one MiB up, else KiB; values with the digits that keep them within 0.1%. */
function unitOf(top: number): { name: string; scale: number; digits: number } {
  return top >= 1024 ** 2 ? { name: 'MiB', scale: 1024 ** 2, digits: 3 } : { name: 'KiB', scale: 1024, digits: 1 }
}

/** A label the chart shows: hex digits and the action's own words, with the break said in brackets. */
function chartLabel(bar: Bar): string {
  if (!bar.mark) return bar.label
  if (bar.mark.kind === 'settings') return `${bar.label} (new settings)`
  return `${bar.label} (${GO_RELEASE.test(bar.mark.to) ? bar.mark.to : 'new Go'})`
}

/** Past this many bars, the commits' labels no longer fit side by side: they go one per row, the chart as tall as they need. */
const UPRIGHT_BARS = 12

/** The Mermaid block: a bar per commit and one for the run, the budget as a line. */
function mermaidChart(bars: Bar[], platform: string, maxSize: number | undefined): string {
  const budget = finite(maxSize) && maxSize > 0 ? maxSize : undefined
  const top = Math.max(...bars.map(b => b.wire), budget ?? 0)
  const unit = unitOf(top)
  const value = (bytes: number) => (bytes / unit.scale).toFixed(unit.digits)
  const sideways = bars.length > UPRIGHT_BARS
  const lines = [
    '```mermaid',
    ...(sideways ? ['---', 'config:', '  xyChart:', `    height: ${bars.length * 18 + 160}`, '---', 'xychart-beta horizontal'] : ['xychart-beta']),
    ...(PLATFORM.test(platform) ? [`  title "${platform} image on the wire"`] : []),
    `  x-axis [${bars.map(b => `"${chartLabel(b)}"`).join(', ')}]`,
    `  y-axis "${unit.name}" 0 --> ${value(top * 1.1)}`,
    `  bar [${bars.map(b => value(b.wire)).join(', ')}]`,
    ...(budget === undefined ? [] : [`  line [${bars.map(() => value(budget)).join(', ')}]`]),
    '```'
  ]
  return lines.join('\n')
}

/** The history's line, and its chart in a section of its own (open: it is there to be seen). */
export function renderHistory(history: SizeHistory | undefined, out: string[]): void {
  if (!history) return
  const chosen = platformOf(history)
  if (!chosen) return
  const bars = barsOf(history, chosen.platform)
  if (!bars.some(b => b.point)) return
  out.push(historyLine(history, bars, `${chosen.platform}${chosen.said}`), '')
  if (bars.length < 2) return
  const budget = finite(history.maxSize) ? `; the line is max-size, ${human(history.maxSize)}` : ''
  const head = bars.at(-1)!.point ? '' : `, then ${bars.at(-1)!.label}`
  out.push(
    `<details open><summary>${HISTORY_SUMMARY}: ${htmlText(chosen.platform)} on the wire, ${bars.length - (head ? 1 : 0)} commits${head}${budget}</summary>`,
    '',
    mermaidChart(bars, chosen.platform, history.maxSize),
    '',
    '</details>',
    ''
  )
}
