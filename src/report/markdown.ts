import { versionOriginText } from '../build/index.js'
import { NO_VARIABLE } from '../settings/index.js'
import type { Measurement } from '../measure/index.js'
import { renderComparison } from './comparison.js'
import { renderDetails } from './details.js'
import { renderHistory } from './history.js'
import { human } from './format.js'
import { code, fence, prose } from './md.js'
import { largest, type Report } from './model.js'
import { renderAttribution } from './split.js'
import { renderTradeOff } from './tradeoff.js'

// The report's Markdown: the headline and the order of the sections, each rendered by a file of its own.

function routeNote(m: Measurement): string {
  const source = m.route === 'oci' ? 'the OCI image buildx produced' : 'the image `docker save` gave (this builder cannot export OCI), its layers gzipped here'
  return `Wire sizes are exact: config plus compressed layers of ${source}, the bytes a push sends (attestations excluded).`
}

function renderGate(gate: NonNullable<Report['gate']>, out: string[]): void {
  const icon = { pass: '✅', fail: '❌', skipped: '⏭️' }[gate.result]
  out.push(`**Size budget** (${prose(gate.limits)}): ${icon} ${gate.result}`)
  for (const failure of gate.failures) out.push(`- ${prose(failure)}`)
  for (const skip of gate.skipped) out.push(`- ${prose(skip)}`)
  out.push('')
}

/** The version and build as the binary carries them: a value that was not injected is said to be missing. */
function identity(report: Report): string {
  // A variable said to be none was not injected by the user's own choice: the headline does not flag it.
  const missing = (role: string) => report.injections?.some(i => i.role === role && !i.injected && i.variable !== NO_VARIABLE)
  const overridden = (role: string) => report.injections?.some(i => i.role === role && i.overridden)
  const { replaced, origin } = report.version
  const said = [
    missing('version') ? (overridden('version') ? 'not what the program reports' : 'not injected') : undefined,
    versionOriginText(origin),
    replaced && `no tag: it replaced the program's own ${code(replaced.value, 60)} in ${code(replaced.variable)}`
  ].filter(Boolean)
  const version = `${code(report.version.version)}${said.length > 0 ? ` (${said.join('; ')})` : ''}`
  const build = `${code(report.version.build.slice(0, 12))}${missing('build') ? (overridden('build') ? ' (not what the program reports)' : ' (not injected)') : ''}`
  return `${version} · build ${build}`
}

/** What failed, first: a failed smoke test or push is the news, the sizes come after. */
function renderFailures(report: Report, out: string[]): void {
  for (const failure of report.failures ?? []) {
    // Its first line is the action's sentence; what follows is a tool's or the program's output, shown as it was.
    const [first, ...rest] = failure.split('\n')
    out.push(`> [!CAUTION]\n> ${prose(first)}${rest.length > 0 ? `\n${fence(rest.join('\n'), '> ')}` : ''}`, '')
  }
}

export function renderMarkdown(report: Report): string {
  const out: string[] = []
  if (report.baseline) {
    renderComparison(report, report.baseline, out)
    renderFailures(report, out)
    if (report.gate) renderGate(report.gate, out)
    renderHistory(report.history, out)
    out.push(`Version ${identity(report)} · final stage ${code(report.finalStage)} · UPX ${code(report.upx)}`, '')
    out.push(routeNote(report.measurement))
    renderTradeOff(report, out)
    renderDetails(report, out)
    return out.join('\n')
  }
  out.push(`### 📦 Go Slim Image: ${code(report.tags[0] ?? report.image)}`, '')
  renderFailures(report, out)
  const { image: top, label } = largest(report)
  out.push(
    `Image: **${human(top.wire)}** on the wire${label} · version ${identity(report)} · final stage ${code(report.finalStage)} · UPX ${code(report.upx)}`,
    ''
  )
  out.push('| Platform | Binary (unstripped → stripped → in image) | Image on the wire | Image unpacked |', '|---|---|---|---|')
  for (const image of report.measurement.images) {
    const bin = report.binaries.find(b => b.platform === image.platform)
    const binary = bin ? `${human(bin.unstripped)} → ${human(bin.stripped)} → **${human(bin.final)}**${bin.packed ? ' (UPX)' : ''}` : '–'
    out.push(`| ${prose(image.platform)} | ${binary} | **${human(image.wire)}** | ${human(image.unpacked)} |`)
  }
  out.push('')
  renderHistory(report.history, out)
  for (const a of report.attribution ?? []) renderAttribution(a, report.binaries.find(b => b.platform === a.platform)?.packed ?? false, out)
  out.push(routeNote(report.measurement))
  if (report.gate) {
    out.push('')
    renderGate(report.gate, out)
  }
  renderTradeOff(report, out)
  renderDetails(report, out)
  return out.join('\n')
}
