import type { Road } from '../compare/index.js'
import { attestationsText } from './details.js'
import { human, linkedCommit, percent, seconds, signedHuman } from './format.js'
import { code, link, prose } from './md.js'
import { type Report, VARIES } from './model.js'

// What the choices cost and saved: UPX, the zstd road not taken, what was published.

/** The zstd wire size of these layers, next to what UPX would cost: smaller with no start-up cost. */
function renderRoadNotTaken(report: Report, out: string[]): void {
  const road = report.roadNotTaken
  if (!road) return
  out.push('', '#### Smaller with no start-up cost', '')
  const how = road.scaledFrom ? '' : ': measured by compressing these very layers here'
  for (const alternative of road.images) {
    const now = report.measurement.images.find(i => i.platform === alternative.platform)
    if (!now) continue
    out.push(
      `- ${prose(alternative.platform)}: **${road.scaledFrom ? '≈ ' : ''}${human(alternative.wire)}** on the wire with \`compression: zstd\` (${road.compression}), ${signedHuman(alternative.wire - now.wire)} (${percent(now.wire - alternative.wire, now.wire)})${how}.`
    )
  }
  if (road.scaledFrom) out.push('', scaledNote(road.scaledFrom, road.compression))
  out.push('', 'zstd costs nothing at start-up, unlike UPX; pulling zstd layers needs Docker 23+ or containerd 1.5+, which is why gzip stays the default.')
}

/** Where a scaled figure comes from: the base commit's layers, compressed once by the run that measured them. */
function scaledNote(from: NonNullable<Road['scaledFrom']>, compression: string): string {
  const shares = from.saved.map(s => `${(s.share * 100).toFixed(1)}%${from.saved.length > 1 ? ` (${s.platform})` : ''}`).join(', ')
  const by = from.rebuilt ? 'in this run' : `by ${link('an earlier run', from.run)}`
  return `Scaled from base commit ${linkedCommit(from.commit, from.link)}: ${compression} took ${shares} off its layers, measured ${by}; these layers were not compressed again.`
}

/** A column that says what was saved shows the saving as it is; a change that grew says so in words, never as a minus. */
export function savedText(saved: number, before: number): string {
  if (saved >= 0) return `${human(saved)} (${percent(saved, before)})`
  return `none: ${human(-saved)} more (${percent(-saved, before)})`
}

export function renderTradeOff(report: Report, out: string[]): void {
  const packed = report.binaries.filter(b => b.packed)
  if (packed.length > 0) {
    out.push('', `#### UPX trade-off (${code(report.upx)})`, '')
    const zstd = packed.some(b => b.zstdUnpacked !== undefined)
    out.push(
      `| Platform | Disk saved | Wire saved (gzip, ≈) |${zstd ? ' zstd layers instead, no UPX (≈, no start-up cost) |' : ''}`,
      `|---|---|---|${zstd ? '---|' : ''}`
    )
    const saved = (now: number | undefined, before: number | undefined) => (now !== undefined && before !== undefined ? savedText(before - now, before) : '–')
    for (const b of packed) {
      const road = zstd ? ` ${saved(b.zstdUnpacked, b.gzipUnpacked)} |` : ''
      out.push(`| ${prose(b.platform)} | ${saved(b.final, b.stripped)} | ${saved(b.gzipPacked, b.gzipUnpacked)} |${road}`)
    }
    out.push('')
    for (const b of packed) {
      const startup =
        b.startupUnpackedMs !== undefined && b.startupPackedMs !== undefined
          ? `startup ${b.startupUnpackedMs.toFixed(1)} ms unpacked → ${b.startupPackedMs.toFixed(1)} ms packed (median of ${b.startupRuns ?? '?'} runs each, in a container of the smoke test's sandbox)`
          : 'startup not measured (needs smoke-test and a runner of this platform)'
      out.push(`${VARIES} ${prose(b.platform)}: packing took ${b.packMs !== undefined ? seconds(b.packMs) : '–'}; ${startup}`)
    }
  }
  renderRoadNotTaken(report, out)
  if (report.published) {
    out.push('', '#### Published', '')
    for (const reference of report.published.references) out.push(`- ${code(`${reference}@${report.published.digest}`, 400)}`)
    if (report.published.images.length > 0)
      out.push('', `Read back from the registry: ${report.published.images.map(i => `${prose(i.platform)} ${human(i.wire)} (${i.wire} bytes)`).join(', ')}.`)
    else out.push('', 'Not read back from the registry: the failure above says why.')
    const attested = attestationsText(report)
    if (attested) out.push('', `Attested with it: ${attested}.`)
  }
  const declined = report.binaries.filter(b => b.upxDeclined)
  for (const b of declined) out.push('', `UPX left the ${prose(b.platform)} binary unpacked: ${prose(b.upxDeclined ?? '')}`)
  // A blank line between alerts: GitHub would merge adjacent quotes into one, showing later alerts as text.
  for (const w of report.warnings) out.push('', `> [!WARNING]\n> ${prose(w).replace(/\n/g, '\n> ')}`)
}
