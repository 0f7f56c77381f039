import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { cacheService, store } from './cache.js'
import { keyCommit, type MeasurementRecord } from './record.js'
import type { ZstdFigure } from './types.js'
import { measureRoad } from './road.js'
import { info } from '../process/index.js'

/**
 * A run's stores are made by its post step, as actions/cache saves in its own: the toolkit's process, its archive and
 * its requests, and a commit's first zstd 19 figure, are paid after the job's other steps, not before the image is
 * pushed or the report written. The main step leaves each store as a file in its own folder, which the post step
 * removes once it has stored them.
 */
export interface DeferredStore {
  key: string
  record: MeasurementRecord
  /** The OCI layout whose layers are compressed at zstd 19 first: the commit's road not taken, not known yet. */
  layout?: string
}

const folderOf = (workDir: string) => path.join(workDir, 'stores')

let written = 0

/** Leaves `entry` for the post step; entries are stored in the order they were left. */
export async function deferStore(workDir: string, entry: DeferredStore): Promise<void> {
  const folder = folderOf(workDir)
  await mkdir(folder, { recursive: true })
  await writeFile(path.join(folder, `${String(written++).padStart(4, '0')}.json`), JSON.stringify(entry))
}

/** The post step's part: every store the main step left, each bounded and said in one line; never rejects. */
export async function storeDeferred(workDir: string, runnerTemp: string): Promise<void> {
  const names = (await readdir(folderOf(workDir)).catch(() => [] as string[])).filter(name => /^\d{4}\.json$/.test(name)).sort()
  if (names.length === 0) return
  if (!cacheService()) {
    info(`baseline cache: the post step has no cache service, so ${names.length} measurement(s) were not stored`)
    return
  }
  for (const name of names) {
    const entry = await readEntry(path.join(folderOf(workDir), name), workDir)
    if (typeof entry === 'string') {
      info(`baseline cache: ${name} was not stored (${entry})`)
      continue
    }
    await store(entry.key, await withFigures(entry), runnerTemp)
  }
}

/**
 * An entry as the main step left it, held to what a record read back from the cache may be, its layout one of the
 * run's own folder (the post step compresses nothing else); or why not.
 */
export async function readEntry(file: string, workDir: string): Promise<DeferredStore | string> {
  let entry: Partial<DeferredStore>
  try {
    entry = JSON.parse(await readFile(file, 'utf8')) as Partial<DeferredStore>
  } catch (error) {
    return `it could not be read: ${(error as Error).message}`
  }
  if (typeof entry.key !== 'string' || !keyCommit(entry.key)) return 'its key is not one of this action'
  if (entry.layout !== undefined && !(typeof entry.layout === 'string' && within(workDir, entry.layout))) return "its layout is not in the run's folder"
  const commit = typeof entry.record?.commit === 'string' ? entry.record.commit : ''
  const platforms = Array.isArray(entry.record?.images) ? entry.record.images.map(i => String(i?.platform)) : []
  const { parseRecord } = await import('./record-schema.js')
  const { record, why } = parseRecord(JSON.stringify(entry.record), commit, platforms)
  if (!record || !entry.key.endsWith(`-${record.commit}`)) return why ?? 'its key names another commit'
  return { key: entry.key, record, layout: entry.layout }
}

const within = (folder: string, file: string) => {
  const relative = path.relative(path.resolve(folder), path.resolve(folder, file))
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

/** The record with its zstd figures, measured here on the layout's layers when the main step left them to measure. */
async function withFigures({ record, layout }: DeferredStore): Promise<MeasurementRecord> {
  if (!layout) return record
  const started = performance.now()
  const figures = await measureRoad({ layout })
  if (!figures) return record
  info(
    `baseline cache: the zstd ${[...figures.values()][0].level} figure of ${record.commit.slice(0, 12)} measured in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
  return withZstd(record, figures)
}

/** The record with each platform's zstd figure from `figures`, measured. */
function withZstd(record: MeasurementRecord, figures: Map<string, ZstdFigure>): MeasurementRecord {
  return { ...record, images: record.images.map(image => ({ ...image, zstd: figures.get(image.platform) ?? image.zstd })) }
}
