import { NO_VARIABLE } from './settings.js'
import { filesize } from 'filesize'
import type { Measurement } from './measure.js'
import type { BaselineReport } from './baseline.js'
import { dominantRow, type Attribution, type RowChange, type SizeRow } from './attribution.js'
import type { GateOutcome } from './gate.js'
import type { Road } from './road.js'
import type { Published } from './publish.js'
import { STARTUP_RUNS, type SmokeResult } from './smoke.js'
import { clip, shown } from './values.js'
import { versionOriginText, type VersionInfo } from './version.js'

export interface BinaryFigures {
  platform: string
  unstripped: number
  stripped: number
  /** Size in the image: packed when UPX packed it. */
  final: number
  packed: boolean
  upxDeclined?: string
  packMs?: number
  gzipUnpacked?: number
  gzipPacked?: number
  /** zstd of the plain binary (the action's level): what zstd layers would save instead of UPX. */
  zstdUnpacked?: number
  startupUnpackedMs?: number
  startupPackedMs?: number
}

/** What report-json holds, numbered so that a merge job can tell a report it reads apart from an older one. */
export const REPORT_FORMAT = 1

export interface Report {
  format: typeof REPORT_FORMAT
  image: string
  tags: string[]
  digest?: string
  /** `replaced`: with no tag, the program's own default that 0.1.0 took the place of. */
  version: VersionInfo & { replaced?: { variable: string; value: string } }
  /** Where the version and the build went; `injected: false` means the binary does not carry them. */
  injections?: Array<{ role: 'version' | 'build'; variable: string; injected: boolean }>
  goVersion: string
  /** The go build command of the first platform, as run. */
  goBuild: string
  upx: string
  finalStage: string
  binaries: BinaryFigures[]
  measurement: Measurement
  /** What the layers the action adds hold, in order (the last layers of every image). */
  layerNames?: string[]
  /** Milliseconds per phase, in the order they ran. */
  timings: Record<string, number>
  /** Milliseconds spent in go, upx, docker and git: the rest of the phases is the action's own work. */
  toolMs: number
  smoke?: SmokeResult
  /** Per platform, what its attestations state (predicate types): SBOM, provenance. */
  attestations?: Array<{ platform: string; predicates: string[] }>
  /** Where the SBOM came from: the binary's build info (the action's own), or BuildKit's scanner. */
  sbom?: 'build info' | 'buildkit'
  /** What failed after the image was measured (smoke test, push): the step fails after this report is written. */
  failures?: string[]
  published?: Published
  baseline?: BaselineReport
  /** Per platform, where the binary's bytes go and (with a base) what moved. */
  attribution?: Attribution[]
  /** Milliseconds spent on attribution, head and base. */
  attributionMs?: number
  gate?: GateOutcome & { limits: string }
  /** How the layers are compressed, as said in the report: `gzip (BuildKit)`, `zstd 19`. */
  compression?: string
  /** With gzip layers and no UPX: the same layers with zstd (`zstd 19`), measured here or scaled from the base's. */
  roadNotTaken?: Road
  warnings: string[]
}

/** Starts the lines whose figures change from run to run (times): a comment differing only there is left alone. */
export const VARIES = '⏱'

/** The report without its run-to-run lines: equal when nothing but times changed. */
export function stableText(markdown: string): string {
  return markdown
    .split('\n')
    .filter(line => !line.startsWith(VARIES) && !line.startsWith(`- ${VARIES}`))
    .join('\n')
}

export const human = (bytes: number) => filesize(bytes, { standard: 'iec' }) as string
export const signedHuman = (bytes: number) => (bytes > 0 ? '+' : bytes < 0 ? '−' : '±') + human(Math.abs(bytes))
const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${((part / whole) * 100).toFixed(1)}%`)
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

// Of a smoke test's output, the report shows this much (head and tail): the verdict, not the program's whole log.
const SMOKE_SHOWN = 1000

function routeNote(m: Measurement): string {
  const source = m.route === 'oci' ? 'the OCI image buildx produced' : 'the image `docker save` gave (this builder cannot export OCI), its layers gzipped here'
  return `Wire sizes are exact: config plus compressed layers of ${source}, the bytes a push sends (attestations excluded).`
}

export function change(value: number, base: number | undefined): string {
  if (base === undefined) return '–'
  const delta = value - base
  return delta === 0 ? '±0' : `${signedHuman(delta)} (${delta > 0 ? '+' : '−'}${percent(Math.abs(delta), base)})`
}

export const trend = (delta: number) => (delta > 0 ? '📈' : delta < 0 ? '📉' : '➖')

const attributionOf = (report: Report, platform: string) => report.attribution?.find(a => a.platform === platform)

/** A pull fetches one platform: the headline speaks of the largest, never of a sum no client downloads. */
export function largest(report: Report) {
  const images = report.measurement.images
  const top = images.reduce((a, b) => (b.wire > a.wire ? b : a))
  return { image: top, label: images.length === 1 ? '' : ` (${top.platform}, the largest of ${images.length} platforms)` }
}

/** A commit as the report names it: 12 hex digits, linked to GitHub when the run knows its repository. */
function linkedCommit(sha: string, link: string | undefined): string {
  const short = `\`${sha.slice(0, 12)}\``
  return link ? `[${short}](${link})` : short
}

/** Where the baseline came from: the commit (linked) and who measured it, or the published image. */
export function baselineOrigin(baseline: BaselineReport): string {
  const commitOf = (sha: string) => linkedCommit(sha, baseline.link)
  const run = baseline.run ? `[an earlier run](${baseline.run})` : 'an earlier run'
  if (baseline.source === 'image' && baseline.revision) {
    return `Compared with \`${baseline.ref}\`, built from commit ${commitOf(baseline.revision)}: sizes from its registry manifest, where the bytes went from that commit's measurement in the Actions cache, by ${run}.`
  }
  if (baseline.source === 'image') return `Compared with \`${baseline.ref}\`.`
  const commit = `base commit ${commitOf(baseline.ref)}`
  if (baseline.source === 'build') return `Compared with ${commit}, rebuilt in this run.`
  return `Compared with ${commit}: baseline from the Actions cache, measured by ${run}; nothing of the base was rebuilt.`
}

/** A cached base may come from another Go release: part of the change is then the toolchain's. */
function toolchainChange(report: Report, baseline: BaselineReport): string | undefined {
  if (!baseline.goVersion || baseline.goVersion === report.goVersion) return undefined
  return `The base was built with ${baseline.goVersion} and this change with ${report.goVersion}: part of the difference is the toolchain's.`
}

function renderComparison(report: Report, baseline: BaselineReport, out: string[]): void {
  const { image: top, label } = largest(report)
  const base = baseline.images.find(b => b.platform === top.platform)
  const headline =
    base === undefined
      ? `**${human(top.wire)}** on the wire${label} (no baseline)`
      : `**${human(top.wire)}** on the wire${label}, ${change(top.wire, base.wire)} ${trend(top.wire - base.wire)}${mainCause(attributionOf(report, top.platform))}` +
        (toolchainChange(report, baseline) ? ` · Go ${baseline.goVersion} → ${report.goVersion}` : '')
  out.push(`### 📦 ${report.tags[0] ?? report.image}: ${headline}`, '')
  if (baseline.error) out.push(`> [!NOTE]\n> No baseline: ${baseline.error}`, '')
  if (baseline.detail) out.push('<details><summary>Why the base did not build</summary>', '', '```text', baseline.detail, '```', '', '</details>', '')
  // With no baseline there is nothing it was compared with: the note above says why.
  if (!baseline.error) out.push(baselineOrigin(baseline), '')
  const toolchain = toolchainChange(report, baseline)
  if (toolchain) out.push(`> [!NOTE]\n> ${toolchain}`, '')
  for (const image of report.measurement.images) {
    const base = baseline.images.find(b => b.platform === image.platform)
    const bin = report.binaries.find(b => b.platform === image.platform)
    out.push(`**${image.platform}**`, '', '| | This change | Base | Change |', '|---|---:|---:|---:|')
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

function renderGate(gate: NonNullable<Report['gate']>, out: string[]): void {
  const icon = { pass: '✅', fail: '❌', skipped: '⏭️' }[gate.result]
  out.push(`**Size budget** (${gate.limits}): ${icon} ${gate.result}`)
  for (const failure of gate.failures) out.push(`- ${failure}`)
  for (const skip of gate.skipped) out.push(`- ${skip}`)
  out.push('')
}

/** The version and build as the binary carries them: a value that was not injected is said to be missing. */
function identity(report: Report): string {
  const missing = (role: string) => report.injections?.some(i => i.role === role && !i.injected)
  const { replaced, origin } = report.version
  const said = [
    missing('version') ? 'not injected' : undefined,
    versionOriginText(origin),
    replaced && `no tag: it replaced the program's own \`${codeSafe(replaced.value)}\` in \`${replaced.variable}\``
  ].filter(Boolean)
  const version = `\`${report.version.version}\`${said.length > 0 ? ` (${said.join('; ')})` : ''}`
  const build = `\`${report.version.build.slice(0, 12)}\`${missing('build') ? ' (not injected)' : ''}`
  return `${version} · build ${build}`
}

/** A value from the user's code shown in a code span: one short line that cannot close the span. */
const codeSafe = (text: string) => shown(text.replace(/[\p{Cc}`]/gu, ' '), 60)

/** What failed, first: a failed smoke test or push is the news, the sizes come after. */
function renderFailures(report: Report, out: string[]): void {
  for (const failure of report.failures ?? []) out.push(`> [!CAUTION]\n> ${failure.replace(/\n/g, '\n> ')}`, '')
}

/** GitHub's limits, in UTF-8 bytes, with room for the comment's marker: a comment body, a step summary, one output. */
export const LIMITS = { comment: 60_000, summary: 1_000_000, output: 100_000 }

const LEFT_OUT = "left out here to keep the report under GitHub's size limit; the report-json output and the job log have it"

interface Section {
  start: number
  end: number
  summary: string
  body: string
}

/** The collapsed sections, nested ones too (the main module's packages sit inside a platform's section), in order. */
function sections(text: string): Section[] {
  const open: Array<{ start: number; summary: string; bodyStart: number }> = []
  const found: Section[] = []
  for (const tag of text.matchAll(/<details><summary>([^<]*)<\/summary>|<\/details>/g)) {
    if (tag[0] !== '</details>') {
      open.push({ start: tag.index, summary: tag[1], bodyStart: tag.index + tag[0].length })
      continue
    }
    const section = open.pop()
    if (section) found.push({ start: section.start, end: tag.index + tag[0].length, summary: section.summary, body: text.slice(section.bodyStart, tag.index) })
  }
  return found.sort((a, b) => a.start - b.start)
}

const LEFT_OUT_BODY = `\n\n(${LEFT_OUT})\n\n`

/**
 * The report within `maxBytes`: the collapsed sections go first, from the last (a nested one before the section
 * around it), each replaced by a line saying so; then the end of the text. The headline, the failures and the
 * verdict come first in the report and stay.
 */
export function fitMarkdown(markdown: string, maxBytes: number): string {
  const size = (text: string) => Buffer.byteLength(text, 'utf8')
  let fitted = markdown
  while (size(fitted) > maxBytes) {
    const last = sections(fitted)
      .filter(s => s.body !== LEFT_OUT_BODY)
      .at(-1)
    if (!last) break
    fitted = `${fitted.slice(0, last.start)}<details><summary>${last.summary}</summary>${LEFT_OUT_BODY}</details>${fitted.slice(last.end)}`
  }
  if (size(fitted) <= maxBytes) return fitted
  const note = `\n\n… (the rest is ${LEFT_OUT})\n`
  let cut = Buffer.from(fitted, 'utf8')
    .subarray(0, maxBytes - size(note))
    .toString('utf8')
  // A cut character comes out as U+FFFD: dropped, with the partial last line.
  cut = cut.replace(/\uFFFD$/, '')
  return cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0)) + note
}

export function renderMarkdown(report: Report): string {
  const out: string[] = []
  if (report.baseline) {
    renderComparison(report, report.baseline, out)
    renderFailures(report, out)
    if (report.gate) renderGate(report.gate, out)
    out.push(`Version ${identity(report)} · final stage \`${report.finalStage}\` · UPX \`${report.upx}\``, '')
    out.push(routeNote(report.measurement))
    renderTradeOff(report, out)
    renderDetails(report, out)
    return out.join('\n')
  }
  out.push(`### 📦 Go Slim Image: \`${report.tags[0] ?? report.image}\``, '')
  renderFailures(report, out)
  const { image: top, label } = largest(report)
  out.push(`Image: **${human(top.wire)}** on the wire${label} · version ${identity(report)} · final stage \`${report.finalStage}\` · UPX \`${report.upx}\``, '')
  out.push('| Platform | Binary (unstripped → stripped → in image) | Image on the wire | Image unpacked |', '|---|---|---|---|')
  for (const image of report.measurement.images) {
    const bin = report.binaries.find(b => b.platform === image.platform)
    const binary = bin ? `${human(bin.unstripped)} → ${human(bin.stripped)} → **${human(bin.final)}**${bin.packed ? ' (UPX)' : ''}` : '–'
    out.push(`| ${image.platform} | ${binary} | **${human(image.wire)}** | ${human(image.unpacked)} |`)
  }
  out.push('')
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
      `- ${alternative.platform}: **${road.scaledFrom ? '≈ ' : ''}${human(alternative.wire)}** on the wire with \`compression: zstd\` (${road.compression}), ${signedHuman(alternative.wire - now.wire)} (${percent(now.wire - alternative.wire, now.wire)})${how}.`
    )
  }
  if (road.scaledFrom) out.push('', scaledNote(road.scaledFrom, road.compression))
  out.push('', 'zstd costs nothing at start-up, unlike UPX; pulling zstd layers needs Docker 23+ or containerd 1.5+, which is why gzip stays the default.')
}

/** Where a scaled figure comes from: the base commit's layers, compressed once by the run that measured them. */
function scaledNote(from: NonNullable<Road['scaledFrom']>, compression: string): string {
  const shares = from.saved.map(s => `${(s.share * 100).toFixed(1)}%${from.saved.length > 1 ? ` (${s.platform})` : ''}`).join(', ')
  const by = from.rebuilt ? 'in this run' : `by ${from.run ? `[an earlier run](${from.run})` : 'an earlier run'}`
  return `Scaled from base commit ${linkedCommit(from.commit, from.link)}: ${compression} took ${shares} off its layers, measured ${by}; these layers were not compressed again.`
}

/** A column that says what was saved shows the saving as it is; a change that grew says so in words, never as a minus. */
export function savedText(saved: number, before: number): string {
  if (saved >= 0) return `${human(saved)} (${percent(saved, before)})`
  return `none: ${human(-saved)} more (${percent(-saved, before)})`
}

function renderTradeOff(report: Report, out: string[]): void {
  const packed = report.binaries.filter(b => b.packed)
  if (packed.length > 0) {
    out.push('', `#### UPX trade-off (\`${report.upx}\`)`, '')
    const zstd = packed.some(b => b.zstdUnpacked !== undefined)
    out.push(
      `| Platform | Disk saved | Wire saved (gzip, ≈) |${zstd ? ' zstd layers instead, no UPX (≈, no start-up cost) |' : ''}`,
      `|---|---|---|${zstd ? '---|' : ''}`
    )
    const saved = (now: number | undefined, before: number | undefined) => (now !== undefined && before !== undefined ? savedText(before - now, before) : '–')
    for (const b of packed) {
      const road = zstd ? ` ${saved(b.zstdUnpacked, b.gzipUnpacked)} |` : ''
      out.push(`| ${b.platform} | ${saved(b.final, b.stripped)} | ${saved(b.gzipPacked, b.gzipUnpacked)} |${road}`)
    }
    out.push('')
    for (const b of packed) {
      const startup =
        b.startupUnpackedMs !== undefined && b.startupPackedMs !== undefined
          ? `startup ${b.startupUnpackedMs.toFixed(1)} ms unpacked → ${b.startupPackedMs.toFixed(1)} ms packed (median of ${STARTUP_RUNS} in the smoke-test container)`
          : 'startup not measured (needs smoke-test and a runner of this platform)'
      out.push(`${VARIES} ${b.platform}: packing took ${b.packMs !== undefined ? seconds(b.packMs) : '–'}; ${startup}`)
    }
  }
  renderRoadNotTaken(report, out)
  if (report.published) {
    out.push('', '#### Published', '')
    for (const reference of report.published.references) out.push(`- \`${reference}@${report.published.digest}\``)
    if (report.published.images.length > 0)
      out.push('', `Read back from the registry: ${report.published.images.map(i => `${i.platform} ${human(i.wire)} (${i.wire} bytes)`).join(', ')}.`)
    else out.push('', 'Not read back from the registry: the failure above says why.')
    const attested = attestationsText(report)
    if (attested) out.push('', `Attested with it: ${attested}.`)
  }
  const declined = report.binaries.filter(b => b.upxDeclined)
  for (const b of declined) out.push('', `UPX left the ${b.platform} binary unpacked: ${b.upxDeclined}`)
  // A blank line between alerts: GitHub would merge adjacent quotes into one, showing later alerts as text.
  for (const w of report.warnings) out.push('', `> [!WARNING]\n> ${w.replace(/\n/g, '\n> ')}`)
}

/** Layer sizes, each named by what it holds; layers before the action's own come from the base image. */
function layerSizes(layers: Array<{ size: number }>, names: string[] = []): string {
  const first = layers.length - names.length
  return layers.map((layer, i) => (names.length === 0 ? `${layer.size}` : `${layer.size} (${i >= first ? names[i - first] : 'base image'})`)).join(' + ')
}

function injectionText(i: NonNullable<Report['injections']>[number]): string {
  if (i.injected) return `injected into \`${i.variable}\``
  if (i.variable === NO_VARIABLE) return `not injected: \`${i.role}-variable\` is none (the program has no such variable)`
  return `**not injected** (\`${i.variable}\` is not a string variable of the program)`
}

function renderDetails(report: Report, out: string[]): void {
  out.push('', '<details><summary>Details</summary>', '')
  out.push(`- Go: ${report.goVersion}; measured by: ${report.measurement.route}${report.compression ? `; layers: ${report.compression}` : ''}`)
  out.push(`- Build: \`${report.goBuild}\``)
  for (const i of report.injections ?? []) out.push(`- ${i.role}: ${injectionText(i)}`)
  if (report.digest) out.push(`- Digest: \`${report.digest}\``)
  const attested = attestationsText(report)
  if (attested) out.push(`- Attestations (never counted in the sizes): ${attested}`)
  out.push(`- Tags: ${report.tags.map(t => `\`${t}\``).join(', ')}`)
  for (const image of report.measurement.images) {
    out.push(
      `- ${image.platform}: wire ${image.wire} bytes (config ${image.configSize} + layers ${layerSizes(image.layers, report.layerNames)}), unpacked ${image.unpacked} bytes` +
        (image.manifestDigest ? `, manifest \`${image.manifestDigest}\`` : '')
    )
  }
  for (const b of report.binaries) out.push(`- ${b.platform} binary: unstripped ${b.unstripped}, stripped ${b.stripped}, in image ${b.final} bytes`)
  out.push(
    `- ${VARIES} Timings: ${Object.entries(report.timings)
      .map(([phase, ms]) => `${phase} ${seconds(ms)}`)
      .join(', ')}`
  )
  if (report.smoke) {
    const oneLine = (text: string) => clip(text.trim(), SMOKE_SHOWN).replace(/\n/g, ' ⏎ ').replace(/`/g, "'")
    out.push(`- Smoke test \`${report.smoke.args.join(' ')}\` printed: \`${oneLine(report.smoke.stdout)}\``)
    if (report.smoke.stderr.trim()) out.push(`- Smoke test stderr: \`${oneLine(report.smoke.stderr)}\``)
  }
  for (const base of report.baseline?.images ?? []) {
    out.push(
      `- base ${base.platform}: wire ${base.wire} bytes` +
        (base.unpacked !== undefined ? `, unpacked ${base.unpacked}` : '') +
        (base.binary !== undefined ? `, binary ${base.binary}` : '')
    )
  }
  out.push('', '</details>', '')
}

/** A predicate type in words; one this action does not know is shown as a code span. */
function predicateName(type: string, sbom: Report['sbom']): string {
  if (type === 'https://spdx.dev/Document') return `SPDX SBOM${sbom === 'build info' ? ' from the build info' : ''}`
  const slsa = /^https:\/\/slsa\.dev\/provenance\/(v[\d.]+)$/.exec(type)
  if (slsa) return `SLSA provenance ${slsa[1]}`
  return `\`${codeSafe(type)}\``
}

/** Each platform's attestations, one phrase per platform. */
function attestationsText(report: Report): string {
  return (report.attestations ?? [])
    .filter(a => a.predicates.length > 0)
    .map(a => `${a.platform}: ${a.predicates.map(p => predicateName(p, report.sbom)).join(', ')}`)
    .join('; ')
}

type RowName = Pick<SizeRow, 'key' | 'kind' | 'version'> & { isNew?: boolean }

function rowLabel(row: RowName): string {
  if (row.kind === 'package') return `\`${row.key}\``
  if (row.kind === 'main') return `\`${row.key}\` (this module)`
  if (row.kind === 'module') return `\`${row.key}\`${row.version ? ` ${row.version}` : ''}${row.isNew ? ' (new)' : ''}`
  return row.key
}

/** A row's embedded data, said beside its name. */
const embeddedText = (bytes: number | undefined) => (bytes ? `, ${human(bytes)} of it embedded data` : '')
const embeddedChange = (delta: number) => (delta !== 0 ? `, embedded data ${signedHuman(delta)}` : '')

/** Over half of a change, in its direction. */
const mostOf = (part: number, whole: number) => whole !== 0 && Math.sign(part) === Math.sign(whole) && Math.abs(part) * 2 > Math.abs(whole)

/** What one row's change is mostly: embedded data, or (for the main module) one of its packages; new when it is. */
function causeOf(top: RowChange): string {
  const isNew = (row: RowChange) => (row.isNew ? ', new' : '')
  const inside = top.packages?.[0]
  if (mostOf(top.embeddedDelta, top.delta)) {
    const holder = top.kind === 'main' ? [...(top.packages ?? [])].sort((a, b) => Math.abs(b.embeddedDelta) - Math.abs(a.embeddedDelta))[0] : top
    return `embedded data in \`${(holder ?? top).key}\`${isNew(holder ?? top)}`
  }
  if (top.kind === 'main') return inside && mostOf(inside.delta, top.delta) ? `package \`${inside.key}\`${isNew(inside)}` : `\`${top.key}\` (this module)`
  if (top.kind === 'module') return `${`\`${top.key}\` ${top.version ?? ''}`.trim()}${isNew(top)}`
  return `${top.kind === 'package' ? `package \`${top.key}\`` : top.key}${isNew(top)}`
}

/** One phrase for the headline when one module or package explains most of the binary's change. */
export function mainCause(attribution: Attribution | undefined): string {
  if (!attribution?.rows || !attribution.base) return ''
  const top = dominantRow(attribution.rows, attribution.head.binary - attribution.base.binary)
  return top ? ` · mostly ${causeOf(top)}` : ''
}

/** How far the symbols go: their share of the binary, and what they cannot size. */
function coverage(a: Attribution, packed: boolean): string {
  const before = packed ? ' before UPX (UPX hides the build info, so the unpacked binary is split)' : ''
  return (
    `Split by the sizes of the binary's symbols${before}: they explain ${human(a.head.explained)} of its ${human(a.head.binary)} ` +
    `(${percent(a.head.explained, a.head.binary)}); the rest is pclntab, type descriptors and strings, which the linker does not size per package.`
  )
}

function renderModuleChanges(a: Attribution, out: string[]): void {
  if (!a.modules) return
  if (a.modules.length === 0) {
    out.push('No module was added, removed or changed.', '')
    return
  }
  out.push('| Module | Base | This change |', '|---|---|---|')
  for (const m of a.modules) out.push(`| \`${m.path}\` | ${m.from ?? '–'} | ${m.to ?? '–'} (${m.change}) |`)
  out.push('')
}

function renderRowChanges(a: Attribution, out: string[]): void {
  if (!a.rows || !a.base) return
  const delta = a.head.binary - a.base.binary
  const explained = a.rows.top.reduce((sum, r) => sum + r.delta, 0) + a.rows.rest.delta
  out.push(`Binary ${signedHuman(delta)}; the rows below explain ${signedHuman(explained)} of it.`, '')
  out.push('| Where the bytes went | Base | This change | Change | Share of binary |', '|---|---:|---:|---:|---:|')
  for (const r of a.rows.top) out.push(changeLine(r, a.head.binary))
  if (a.rows.rest.rows > 0) out.push(`| ${a.rows.rest.rows} more rows | | | ${signedHuman(a.rows.rest.delta)} | |`)
  out.push('')
  const own = a.rows.top.find(r => r.kind === 'main')
  if (own?.packages?.length) {
    out.push(`<details><summary>The packages of ${own.key} that changed (${own.packages.length})</summary>`, '')
    out.push('| Package | Base | This change | Change | Share of binary |', '|---|---:|---:|---:|---:|')
    for (const p of own.packages.slice(0, PACKAGES_SHOWN)) out.push(changeLine(p, a.head.binary))
    if (own.packages.length > PACKAGES_SHOWN) out.push(`| ${own.packages.length - PACKAGES_SHOWN} more packages | | | | |`)
    out.push('', '</details>', '')
  }
}

// The main module's packages listed under its row; more are counted, not named.
const PACKAGES_SHOWN = 50

function changeLine(r: RowChange, binary: number): string {
  const cell = (bytes: number) => (bytes === 0 ? '–' : human(bytes))
  return `| ${rowLabel(r)}${embeddedChange(r.embeddedDelta)} | ${cell(r.base)} | ${cell(r.head)} | ${signedHuman(r.delta)} | ${percent(r.head, binary)} |`
}

function renderLargest(a: Attribution, out: string[], limit = 10): void {
  out.push('| Largest parts | Size | Share of binary |', '|---|---:|---:|')
  for (const r of a.head.rows.slice(0, limit)) out.push(sizeLine(r, a.head.binary))
  const rest = a.head.rows.slice(limit)
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, r) => sum + r.bytes, 0)
    out.push(`| ${rest.length} more rows | ${human(bytes)} | ${percent(bytes, a.head.binary)} |`)
  }
  out.push('')
  const own = a.head.rows.find(r => r.kind === 'main')
  if (own?.packages?.length) {
    out.push(`<details><summary>The ${own.packages.length} package${own.packages.length === 1 ? '' : 's'} of ${own.key}</summary>`, '')
    out.push('| Package | Size | Share of binary |', '|---|---:|---:|')
    for (const p of own.packages.slice(0, PACKAGES_SHOWN)) out.push(sizeLine(p, a.head.binary))
    if (own.packages.length > PACKAGES_SHOWN) out.push(`| ${own.packages.length - PACKAGES_SHOWN} more packages | | |`)
    out.push('', '</details>', '')
  }
}

const sizeLine = (r: SizeRow, binary: number) => `| ${rowLabel(r)}${embeddedText(r.embedded)} | ${human(r.bytes)} | ${percent(r.bytes, binary)} |`

/** Collapsed under a platform's figures: what moved between base and head, or what the binary is made of. */
export function renderAttribution(a: Attribution, packed: boolean, out: string[]): void {
  const compared = a.modules !== undefined || a.rows !== undefined
  const changes = a.modules?.length ? `${a.modules.length} module change${a.modules.length === 1 ? '' : 's'}` : ''
  const title = compared ? `Why the ${a.platform} binary changed${changes ? `: ${changes}` : ''}` : `What the ${a.platform} binary is made of`
  out.push(`<details><summary>${title}</summary>`, '')
  renderModuleChanges(a, out)
  if (a.rows) renderRowChanges(a, out)
  else renderLargest(a, out)
  if (a.note) out.push(`Not compared: ${a.note}.`, '')
  out.push(coverage(a, packed), '', '</details>', '')
}
