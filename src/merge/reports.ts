import * as glob from '@actions/glob'
import { constants } from 'node:fs'
import { lstat, open, realpath } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { historyPoint } from '../compare/record-schema.js'
import { REPORT_FORMAT, type Report } from '../report/index.js'
import { isRepository, shown } from '../settings/index.js'

/** A job's report-json as the merge reads it from a file. */
export interface LoadedReport {
  /** As the user's pattern found it, relative to the workspace: how errors name it. */
  file: string
  report: Report
}

// What reaches a registry URL or decides the merge is checked exactly; the rest is the action's own report, read as written.
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a sha256 digest')
const platform = z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(?:\/[a-z0-9.]+)?$/, 'a platform like linux/arm64')
const count = z.number().int().nonnegative()
const gate = z.looseObject({
  result: z.enum(['pass', 'fail', 'skipped']),
  failures: z.array(z.string()),
  skipped: z.array(z.string()),
  checked: count,
  limits: z.string()
})

const reportSchema = z.looseObject({
  format: z.literal(REPORT_FORMAT),
  image: z.string().refine(isRepository, 'a repository name'),
  tags: z.array(z.string()),
  digest: digest.optional(),
  version: z.looseObject({
    version: z.string(),
    build: z.string(),
    commit: z
      .string()
      .regex(/^[0-9a-f]{40,64}$/)
      .optional()
  }),
  measurement: z.looseObject({
    route: z.enum(['oci', 'docker-save']),
    images: z.array(z.looseObject({ platform, wire: count, unpacked: count, manifestDigest: z.string() })).min(1)
  }),
  binaries: z.array(z.looseObject({ platform })),
  published: z
    .looseObject({
      digest,
      references: z.array(z.string()),
      images: z.array(z.looseObject({ platform, manifestDigest: digest, wire: count })),
      byDigest: z.boolean().optional()
    })
    .optional(),
  baseline: z.looseObject({ images: z.array(z.looseObject({ platform, wire: count })) }).optional(),
  attribution: z.array(z.looseObject({ platform })).optional(),
  gate: gate.optional(),
  // Drawn in the merged comment: held to what a stored record's history may be.
  history: z
    .object({
      branch: z.string().max(300).optional(),
      points: z.array(historyPoint).max(200),
      head: z.object({ number: count.optional(), images: historyPoint.shape.images }).optional(),
      maxSize: count.optional()
    })
    .optional(),
  failures: z.array(z.string()).optional(),
  timings: z.record(z.string(), z.number()),
  warnings: z.array(z.string())
})

/** Where zod found the first thing wrong, in words. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  const where = issue.path.length > 0 ? issue.path.join('.') : 'the file'
  return `${where}: ${issue.message}`
}

/** One file's report, or the one sentence that says why it is none. */
export function parseReport(text: string, file: string): Report {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    // JSON.parse quotes the text it choked on: a file named by mistake is not echoed into the log.
    throw new Error(`${file} is not JSON: give the files the jobs wrote (their report-file output)`, { cause: error })
  }
  const parsed = reportSchema.safeParse(json)
  if (!parsed.success) {
    const format = (json as { format?: unknown } | null)?.format
    const why =
      format !== undefined && format !== REPORT_FORMAT
        ? `${typeof format === 'number' && Number.isInteger(format) && format > 0 && format < 1000 ? `its format is ${format}` : 'it has another format'}, this merge reads format ${REPORT_FORMAT}: use the same release of the action in the jobs and the merge`
        : firstIssue(parsed.error)
    throw new Error(`${file} is not a report of Go Slim Image (its report-json): ${why}`)
  }
  return parsed.data as unknown as Report
}

/** Every file the patterns name, each pattern matching at least one; a file matched twice is read once. */
export async function findReports(patterns: string[], workspace: string): Promise<string[]> {
  const found = new Set<string>()
  const empty: string[] = []
  for (const pattern of patterns) {
    const globber = await glob.create(path.resolve(workspace, pattern), { matchDirectories: false, implicitDescendants: false })
    const files = await globber.glob()
    if (files.length === 0) empty.push(pattern)
    for (const file of files.sort()) found.add(file)
  }
  if (empty.length > 0)
    throw new Error(
      `reports: no file matches ${empty.map(p => `"${shown(p)}"`).join(', ')} in ${workspace}: download the jobs' report artifacts first (actions/download-artifact), and give the path they went to`
    )
  return [...found]
}

// A job's report is tens of kilobytes; one with every row of a large binary's split stays under a few megabytes.
export const MAX_REPORT_BYTES = 32 * 1024 * 1024

/** Whether `file` is `folder` or inside it, both resolved. */
const inside = (folder: string, file: string) => {
  const relative = path.relative(folder, file)
  return !relative.startsWith('..') && !path.isAbsolute(relative)
}

/**
 * Why a matched path cannot be read as a report, or undefined: it must be a regular file (never a FIFO a read would
 * hang on, a socket or a device), inside the workspace or the runner's temporary folder once every symlink is
 * resolved, of a bounded size. Checked with lstat and stat, which open nothing.
 */
export async function reportFileProblem(absolute: string, file: string, roots: string[]): Promise<string | undefined> {
  const real = await realpath(absolute).catch(() => undefined)
  if (!real) return `${file} cannot be resolved (a broken symlink?)`
  const allowed = await Promise.all(roots.map(root => realpath(root).catch(() => path.resolve(root))))
  if (!allowed.some(root => inside(root, real))) return `${file} is ${real}, outside the workspace and the runner's temporary folder`
  const stat = await lstat(real)
  if (!stat.isFile()) return `${file} is not a regular file (a folder, FIFO, socket or device)`
  if (stat.size > MAX_REPORT_BYTES) return `${file} is ${stat.size} bytes, over the ${MAX_REPORT_BYTES} a report may have`
  return undefined
}

/** The file's text, opened without following a symlink or waiting on a FIFO, and held to the checks again once open. */
async function readReportFile(absolute: string, file: string): Promise<string> {
  const handle = await open(await realpath(absolute), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    const stat = await handle.stat()
    if (!stat.isFile() || stat.size > MAX_REPORT_BYTES)
      throw new Error(`${file} changed while it was read: it is no longer a regular file of at most ${MAX_REPORT_BYTES} bytes`)
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

export async function loadReports(patterns: string[], workspace: string, runnerTemp: string): Promise<LoadedReport[]> {
  const files = (await findReports(patterns, workspace)).map(absolute => ({ absolute, file: path.relative(workspace, absolute) || absolute }))
  // Every file is checked before any is read: one error names all that cannot be.
  const problems = (await Promise.all(files.map(({ absolute, file }) => reportFileProblem(absolute, file, [workspace, runnerTemp])))).filter(
    (problem): problem is string => problem !== undefined
  )
  if (problems.length > 0)
    throw new Error(
      `reports: ${problems.length === 1 ? problems[0] : `\n- ${problems.join('\n- ')}`}; give the report files the jobs wrote, downloaded into the workspace`
    )
  return Promise.all(files.map(async ({ absolute, file }) => ({ file, report: parseReport(await readReportFile(absolute, file), file) })))
}
