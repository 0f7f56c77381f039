import { change, code, codeCell, human, largest, mainCause, renderMarkdown, signedHuman, trend, type Report } from '../report/index.js'

/**
 * The merged report: one image reads as one job's report of every platform; several images (one job per service)
 * get one headline for the whole change, a table with a row per image, and a section per image under it. Pure.
 */

const GATE_ICON = { pass: '✅', fail: '❌', skipped: '⏭️' }

/** The largest platform of an image and its base: what one pull of it downloads, before and after. */
function topOf(report: Report) {
  const { image, label } = largest(report)
  return { image, label, base: report.baseline?.images.find(b => b.platform === image.platform)?.wire }
}

const nameOf = (report: Report) => report.tags[0] ?? report.image

function headline(reports: Report[]): string {
  const tops = reports.map(topOf)
  const compared = tops.filter(t => t.base !== undefined)
  const count = `${reports.length} images`
  if (compared.length === 0) return `### 📦 Go Slim Image: ${count}, **${human(tops.reduce((sum, t) => sum + t.image.wire, 0))}** on the wire in all`
  const delta = compared.reduce((sum, t) => sum + t.image.wire - t.base!, 0)
  const moved = reports
    .map((report, i) => ({ report, delta: tops[i].base === undefined ? 0 : tops[i].image.wire - tops[i].base! }))
    .filter(m => m.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))
  const most =
    moved.length > 0
      ? ` · ${moved.length === 1 ? 'only' : 'most in'} ${code(nameOf(moved[0].report))}${mainCause(moved[0].report.attribution?.find(a => a.platform === topOf(moved[0].report).image.platform))}`
      : ''
  return `### 📦 Go Slim Image: ${count}, **${delta === 0 ? '±0' : signedHuman(delta)}** on the wire in all ${trend(delta)}${most}`
}

function overview(reports: Report[]): string[] {
  const rows = reports.map(report => {
    const { image, label, base } = topOf(report)
    const gate = report.gate ? `${GATE_ICON[report.gate.result]} ${report.gate.result}` : '–'
    const failed = (report.failures?.length ?? 0) > 0 ? ' · ❌ failed' : ''
    return `| ${codeCell(nameOf(report))}${label.replace(/\|/g, '\\|')} | **${human(image.wire)}** | ${base === undefined ? '–' : human(base)} | ${change(image.wire, base)} | ${gate}${failed} |`
  })
  return ['| Image | On the wire | Base | Change | Budget |', '|---|---:|---:|---:|---|', ...rows, '']
}

/** An image's own report under the merged headline: its heading one level down. */
const section = (report: Report) => renderMarkdown(report).replace(/^### /, '#### ')

export function renderMerged(reports: Report[]): string {
  if (reports.length === 1) return renderMarkdown(reports[0])
  return [headline(reports), '', ...overview(reports), ...reports.map(section)].join('\n')
}
