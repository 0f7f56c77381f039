import type { BaselineReport } from '../compare/index.js'
import { change, human, linkedCommit, trend } from './format.js'
import { code, fence, link, prose } from './md.js'
import { attributionOf, largest, type Report } from './model.js'
import { mainCause, renderAttribution } from './split.js'

// The comparison with the base: the headline, where the base came from, the table per platform.

/** Where the baseline came from: the commit (linked) and who measured it, or the published image. */
export function baselineOrigin(baseline: BaselineReport): string {
  const commitOf = (sha: string) => linkedCommit(sha, baseline.link)
  const run = link('an earlier run', baseline.run)
  if (baseline.source === 'image' && baseline.revision) {
    return `Compared with ${code(baseline.ref)}, built from commit ${commitOf(baseline.revision)}: sizes from its registry manifest, where the bytes went from that commit's measurement in the Actions cache, by ${run}.`
  }
  if (baseline.source === 'image') return `Compared with ${code(baseline.ref)}.`
  const commit = `base commit ${commitOf(baseline.ref)}`
  if (baseline.source === 'build') return `Compared with ${commit}, rebuilt in this run.`
  return `Compared with ${commit}: baseline from the Actions cache, measured by ${run}; nothing of the base was rebuilt.`
}

/** A cached base may come from another Go release: part of the change is then the toolchain's. */
function toolchainChange(report: Report, baseline: BaselineReport): string | undefined {
  if (!baseline.goVersion || baseline.goVersion === report.goVersion) return undefined
  return `The base was built with ${code(baseline.goVersion)} and this change with ${code(report.goVersion)}: part of the difference is the toolchain's.`
}

export function renderComparison(report: Report, baseline: BaselineReport, out: string[]): void {
  const { image: top, label } = largest(report)
  const base = baseline.images.find(b => b.platform === top.platform)
  const headline =
    base === undefined
      ? `**${human(top.wire)}** on the wire${label} (no baseline)`
      : `**${human(top.wire)}** on the wire${label}, ${change(top.wire, base.wire)} ${trend(top.wire - base.wire)}${mainCause(attributionOf(report, top.platform))}` +
        (toolchainChange(report, baseline) ? ` · Go ${code(baseline.goVersion ?? '')} → ${code(report.goVersion)}` : '')
  out.push(`### 📦 ${code(report.tags[0] ?? report.image)}: ${headline}`, '')
  if (baseline.error) out.push(`> [!NOTE]\n> No baseline: ${prose(baseline.error).replace(/\n/g, '\n> ')}`, '')
  if (baseline.detail) out.push('<details><summary>Why the base did not build</summary>', '', fence(baseline.detail), '', '</details>', '')
  // With no baseline there is nothing it was compared with: the note above says why.
  if (!baseline.error) out.push(baselineOrigin(baseline), '')
  const toolchain = toolchainChange(report, baseline)
  if (toolchain) out.push(`> [!NOTE]\n> ${toolchain}`, '')
  for (const image of report.measurement.images) {
    const base = baseline.images.find(b => b.platform === image.platform)
    const bin = report.binaries.find(b => b.platform === image.platform)
    out.push(`**${prose(image.platform)}**`, '', '| | This change | Base | Change |', '|---|---:|---:|---:|')
    if (bin)
      out.push(
        `| Binary in image${bin.packed ? ' (UPX)' : ''} | ${human(bin.final)} | ${base?.binary !== undefined ? human(base.binary) : '–'} | ${change(bin.final, base?.binary)} |`
      )
    out.push(`| Image on the wire | **${human(image.wire)}** | ${base ? human(base.wire) : '–'} | **${change(image.wire, base?.wire)}** |`)
    out.push(
      `| Image unpacked | ${human(image.unpacked)} | ${base?.unpacked !== undefined ? human(base.unpacked) : '–'} | ${change(image.unpacked, base?.unpacked)} |`,
      ''
    )
    const attribution = attributionOf(report, image.platform)
    if (attribution) renderAttribution(attribution, bin?.packed ?? false, out)
  }
}
