import { z } from 'zod'
import { RECORD_FORMAT, type MeasurementRecord } from './record.js'

// Loaded only when an entry is read: the schema library is not needed by a run that reads none.

const count = z.number().int().nonnegative()

const moduleVersion = z.object({ path: z.string(), version: z.string(), replacedBy: z.string().optional() })

const breakdown = z.object({
  binary: count,
  explained: count,
  rows: z.array(
    z.object({
      key: z.string(),
      kind: z.enum(['package', 'module', 'std', 'runtime', 'other']),
      version: z.string().optional(),
      bytes: count
    })
  ),
  info: z.object({ mainPackage: z.string(), mainModule: z.string(), deps: z.array(moduleVersion) })
})

const image = z.object({
  platform: z.string().min(1),
  wire: count,
  unpacked: count,
  configSize: count,
  layers: z.array(z.object({ size: count, unpacked: count })),
  /** The file in the image: packed when UPX packed it. */
  binary: count,
  breakdown: breakdown.optional()
})

const schema = z.object({
  format: z.literal(RECORD_FORMAT),
  commit: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/),
  /** The workflow run that measured it, linked from the report. */
  run: z.string().optional(),
  goVersion: z.string(),
  images: z.array(image).min(1)
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
