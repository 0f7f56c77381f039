import { z } from 'zod'
import { RECORD_FORMAT, type MeasurementRecord } from './record.js'

// Loaded only when an entry is read: the schema library is not needed by a run that reads none.

const count = z.number().int().nonnegative()

// What a stored value may be is what Go and the action make of it: a record another branch wrote is shown in the
// comment, so it is held to that (and escaped where it is placed all the same).
// An import path as Go allows one (golang.org/x/mod/module: letters, digits and - . _ ~ +, /-separated; % of the
// linker's escapes).
const importPath = z
  .string()
  .max(500)
  .regex(/^[A-Za-z0-9\-._~+%/]+$/, 'an import path')
// A module version: semver (a pseudo-version, +incompatible) or (devel).
const version = z
  .string()
  .max(200)
  .regex(/^(?:v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?|\(devel\))$/, 'a module version')
// A replacement (a module path and version, or a folder) or a version with its replacement: one line of plain text.
const replacement = z
  .string()
  .max(1000)
  .regex(/^[^\p{Cc}`<>[\]]*$/u, 'a version or a replacement')
// The action's own names of the rows that are not packages ("standard library", "Go runtime", "linker tables …").
const rowLabel = z.string().regex(/^[\w .,()*:/-]{1,120}$/, 'a row name')

const moduleVersion = z.object({ path: importPath, version, replacedBy: replacement.optional() })

const breakdown = z.object({
  binary: count,
  explained: count,
  rows: z
    .array(
      z.discriminatedUnion('kind', [
        z.object({ key: importPath, kind: z.enum(['package', 'module']), version: replacement.optional(), bytes: count, embedded: count.optional() }),
        z.object({ key: rowLabel, kind: z.enum(['std', 'runtime', 'other']), bytes: count, embedded: count.optional() })
      ])
    )
    .max(100000),
  info: z.object({ mainPackage: importPath.or(z.literal('')), mainModule: importPath.or(z.literal('')), deps: z.array(moduleVersion).max(20000) })
})

const platform = z.string().regex(/^[\w.-]+\/[\w.-]+(?:\/[\w.-]+)?$/)
const commit = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/)
// Shown in the comment: a Go release name (go1.26.0, devel go1.27-abc…), no Markdown.
const goVersion = z.string().regex(/^[\w.+:/ -]{1,100}$/)

/**
 * A point of a branch's history as stored: numbers, hex and checked names only, but the version, which is the
 * repository's own text (a tag) and is only ever shown in a code span, never placed in the chart.
 */
export const historyPoint = z.object({
  commit,
  date: z
    .string()
    .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/)
    .optional(),
  version: z
    .string()
    .regex(/^[^\p{Cc}\u2028\u2029]{1,200}$/u)
    .optional(),
  goVersion,
  shape: z.string().regex(/^[0-9a-f]{32}$/),
  images: z
    .array(z.object({ platform, wire: count, binary: count }))
    .min(1)
    .max(32)
})

const image = z.object({
  platform,
  wire: count,
  unpacked: count,
  configSize: count,
  layers: z.array(z.object({ size: count, unpacked: count })),
  /** The file in the image: packed when UPX packed it. */
  binary: count,
  breakdown: breakdown.optional(),
  zstd: z
    .object({
      level: z.number().int().min(1).max(22),
      wire: count,
      from: z.object({ commit, layers: count }).optional()
    })
    .optional()
})

const schema = z.object({
  format: z.literal(RECORD_FORMAT),
  commit,
  /** The workflow run that measured it, linked from the report: an http(s) URL and nothing that could end the link. */
  run: z
    .string()
    .regex(/^https?:\/\/[^\s()<>[\]`]+$/)
    .optional(),
  goVersion,
  images: z.array(image).min(1),
  history: z.array(historyPoint).max(200).optional()
})

/** An entry read back: the record, or why it cannot be used (it is then rebuilt, never trusted in part). */
export function parseRecord(text: string, commit: string, platforms: string[]): { record?: MeasurementRecord; why?: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return { why: `it is not JSON (${(error as Error).message})` }
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { why: `it does not match the format (${issue.path.join('.') || 'the entry'}: ${issue.message})` }
  }
  const record: MeasurementRecord = parsed.data
  if (record.commit !== commit) return { why: `it is the measurement of ${record.commit.slice(0, 12)}, not of ${commit.slice(0, 12)}` }
  const missing = platforms.filter(p => !record.images.some(i => i.platform === p))
  if (missing.length > 0) return { why: `it has no measurement of ${missing.join(', ')}` }
  return { record }
}
