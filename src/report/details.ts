import { clip, NO_VARIABLE } from '../settings/index.js'
import { seconds } from './format.js'
import { code, prose } from './md.js'
import { type Report, VARIES } from './model.js'

// The collapsed details: the build command, digests, layer sizes, timings, the smoke test's output.

// Of a smoke test's output, the report shows this much (head and tail): the verdict, not the program's whole log.
const SMOKE_SHOWN = 1000
// Of the go build command line, the characters shown.
const BUILD_SHOWN = 2000

/** Layer sizes, each named by what it holds; layers before the action's own come from the base image. */
function layerSizes(layers: Array<{ size: number }>, names: string[] = []): string {
  const first = layers.length - names.length
  return layers.map((layer, i) => (names.length === 0 ? `${layer.size}` : `${layer.size} (${i >= first ? names[i - first] : 'base image'})`)).join(' + ')
}

function injectionText(i: NonNullable<Report['injections']>[number]): string {
  if (i.injected) return `injected into ${code(i.variable)}`
  if (i.variable === NO_VARIABLE) return `not injected: \`${i.role}-variable\` is none (the program has no such variable)`
  if (i.overridden?.by === 'startup') return `**not what the program reports**: -X set ${code(i.variable)}, and the program sets it again when it starts`
  if (i.overridden?.by === 'smoke')
    return `**not what the program reports**: -X set ${code(i.variable)}, but the smoke test printed ${i.overridden.printed.map(v => code(v)).join(', ')}`
  return `**not injected** (${code(i.variable)} is not a string variable of the program)`
}

export function renderDetails(report: Report, out: string[]): void {
  out.push('', '<details><summary>Details</summary>', '')
  out.push(`- Go: ${code(report.goVersion)}; measured by: ${report.measurement.route}${report.compression ? `; layers: ${prose(report.compression)}` : ''}`)
  out.push(`- Build: ${code(report.goBuild, BUILD_SHOWN)}`)
  for (const i of report.injections ?? []) out.push(`- ${i.role}: ${injectionText(i)}`)
  if (report.digest) out.push(`- Digest: ${code(report.digest)}`)
  const attested = attestationsText(report)
  if (attested) out.push(`- Attestations (never counted in the sizes): ${attested}`)
  out.push(`- Tags: ${report.tags.map(t => code(t)).join(', ')}`)
  for (const image of report.measurement.images) {
    out.push(
      `- ${prose(image.platform)}: wire ${image.wire} bytes (config ${image.configSize} + layers ${layerSizes(image.layers, report.layerNames)}), unpacked ${image.unpacked} bytes` +
        (image.manifestDigest ? `, manifest ${code(image.manifestDigest)}` : '')
    )
  }
  for (const b of report.binaries) out.push(`- ${prose(b.platform)} binary: unstripped ${b.unstripped}, stripped ${b.stripped}, in image ${b.final} bytes`)
  out.push(
    `- ${VARIES} Timings: ${Object.entries(report.timings)
      .map(([phase, ms]) => `${prose(phase)} ${seconds(ms)}`)
      .join(', ')}`
  )
  if (report.smoke) {
    const oneLine = (text: string) => code(clip(text.trim(), SMOKE_SHOWN).replace(/\r?\n/g, ' ⏎ '), SMOKE_SHOWN * 2)
    out.push(`- Smoke test ${code(report.smoke.args.join(' '))} printed: ${oneLine(report.smoke.stdout)}`)
    if (report.smoke.stderr.trim()) out.push(`- Smoke test stderr: ${oneLine(report.smoke.stderr)}`)
  }
  for (const base of report.baseline?.images ?? []) {
    out.push(
      `- base ${prose(base.platform)}: wire ${base.wire} bytes` +
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
  return code(type, 60)
}

/** Each platform's attestations, one phrase per platform. */
export function attestationsText(report: Report): string {
  return (report.attestations ?? [])
    .filter(a => a.predicates.length > 0)
    .map(a => `${prose(a.platform)}: ${a.predicates.map(p => predicateName(p, report.sbom)).join(', ')}`)
    .join('; ')
}
