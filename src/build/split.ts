import { type BuildInfo, type ModuleVersion, symbolPackage } from './buildinfo.js'
import type { Load } from './elf.js'
import type { EmbeddedData } from './embedded.js'
import type { Placement, UnsizedPart } from './placement.js'
import type { GoSymbol } from './symbols.js'

/**
 * Where a binary's bytes go, by module and by package (compare/changes.ts says what changed between two builds): the answer to
 * "why did it grow" that a size gate owes the author. Module versions come from the build info every Go binary
 * carries (stripping keeps it); bytes come from the symbol table of the unstripped twin, which is linked anyway.
 */

/** `main` is the main module whole, its `package` rows under it (see withMainModule). */
export type RowKind = 'package' | 'main' | 'module' | 'std' | 'runtime' | 'other'

/** One row of the split: a package of the main module, a dependency module, the standard library, the runtime. */
export interface SizeRow {
  key: string
  kind: RowKind
  /** The module's version (and replacement) for dependency rows. */
  version?: string
  bytes: number
  /** Of those bytes, the data its variables hold: //go:embed files, embed.FS trees, large literals. */
  embedded?: number
  /** The main module's packages, largest first. */
  packages?: SizeRow[]
}

export interface Breakdown {
  /** The stripped binary's size: what the split is a part of. */
  binary: number
  /** Bytes the symbol table sizes; the rest is pclntab, type descriptors, strings and other linker tables. */
  explained: number
  rows: SizeRow[]
  info: BuildInfo
}

const RUNTIME = /^(runtime|internal\/runtime|internal\/abi|internal\/bytealg|internal\/cpu|internal\/goarch|internal\/goos)(\/|$)/
export const ROW_LABELS: Record<'std' | 'runtime' | 'other', string> = {
  std: 'standard library',
  runtime: 'Go runtime',
  other: 'linker data of no package (go:func.*, gcbits, function descriptors)'
}

/** Rows of unsized bytes no package was found for. */
const UNPLACED: Record<UnsizedPart, string> = {
  functions: 'function table entries of no package',
  types: 'type descriptors of no package',
  strings: 'string data no code or variable points at',
  data: 'static data no code or variable points at'
}

export const versionLabel = (m: ModuleVersion) => (m.replacedBy ? `${m.version} => ${m.replacedBy}` : m.version)

/** The row a package's bytes count in: its module by longest path prefix, or the standard library. */
export function rowOf(pkg: string | undefined, info: BuildInfo): Omit<SizeRow, 'bytes'> {
  if (pkg === undefined) return { key: ROW_LABELS.other, kind: 'other' }
  const path = pkg === 'main' ? info.mainPackage || 'main' : pkg
  const owner = [{ path: info.mainModule, version: '' }, ...info.deps]
    .filter(m => m.path && (path === m.path || path.startsWith(`${m.path}/`)))
    .reduce<ModuleVersion | undefined>((best, m) => (best && best.path.length >= m.path.length ? best : m), undefined)
  if (owner?.path === info.mainModule) return { key: path, kind: 'package' }
  if (owner) return { key: owner.path, kind: 'module', version: versionLabel(owner) }
  if (RUNTIME.test(path)) return { key: ROW_LABELS.runtime, kind: 'runtime' }
  // The standard library's own copies of x/ packages live under vendor/; std paths have no dot in their first element.
  if (path.startsWith('vendor/') || !path.split('/')[0].includes('.')) return { key: ROW_LABELS.std, kind: 'std' }
  return { key: path, kind: 'module' }
}

/** Bytes a symbol occupies in the file: its part inside a load segment's file-backed range (bss has none). */
export function fileBytes(symbol: GoSymbol, loads: Array<{ vaddr: number; filesz: number }>): number {
  if (symbol.address === undefined || symbol.size === 0) return 0
  const start = symbol.address
  const end = start + symbol.size
  return loads.reduce((sum, l) => sum + Math.max(0, Math.min(end, l.vaddr + l.filesz) - Math.max(start, l.vaddr)), 0)
}

/**
 * The binary split into rows by the file bytes of its symbols, and the embedded data its variables point at (which
 * no symbol sizes, unless the data is a symbol of the package's own).
 */
export function breakdown(
  symbols: GoSymbol[],
  loads: Array<Pick<Load, 'vaddr' | 'filesz'>>,
  info: BuildInfo,
  binary: number,
  embedded: EmbeddedData[] = [],
  { placement, known }: { placement?: Placement; known?: ReadonlySet<string> } = {}
): Breakdown {
  const rows = new Map<string, SizeRow>()
  // Tens of thousands of symbols share a few hundred packages: each package is placed once.
  const placed = new Map<string | undefined, Omit<SizeRow, 'bytes'>>()
  const entryOf = (pkg: string | undefined) => {
    const row = placed.get(pkg) ?? rowOf(pkg, info)
    placed.set(pkg, row)
    const entry = rows.get(row.key) ?? { ...row, bytes: 0 }
    rows.set(row.key, entry)
    return entry
  }
  const packageOf = (name: string) => symbolPackage(name, known) ?? placement?.unitPackage.get(name)
  for (const symbol of symbols) {
    const bytes = fileBytes(symbol, loads)
    if (bytes > 0 && !placement?.replaces.has(symbol.name)) entryOf(packageOf(symbol.name)).bytes += bytes
  }
  for (const { part, byPackage } of placement?.charges ?? []) {
    for (const [pkg, bytes] of byPackage) {
      const entry = pkg === undefined ? unplaced(rows, part) : entryOf(pkg)
      entry.bytes += bytes
    }
  }
  for (const data of embedded) {
    const entry = entryOf(packageOf(data.variable))
    entry.embedded = (entry.embedded ?? 0) + data.bytes
    // Placed, the strings and hidden static data hold it already, counted for the package whose variable points at it.
    if (!data.sized && !placement?.placesData) entry.bytes += data.bytes
  }
  // Shares of tables split between functions are fractions: each row is rounded once, at the end.
  for (const row of rows.values()) row.bytes = Math.round(row.bytes)
  const all = [...rows.values()].filter(r => r.bytes > 0)
  const explained = all.filter(r => r.kind !== 'other').reduce((sum, r) => sum + r.bytes, 0)
  return { binary, explained, rows: all.sort((a, b) => b.bytes - a.bytes), info }
}

/** The row of a part's bytes no package was found for, named for what they are. */
function unplaced(rows: Map<string, SizeRow>, part: UnsizedPart): SizeRow {
  const key = UNPLACED[part]
  const row = rows.get(key) ?? { key, kind: 'other', bytes: 0 }
  rows.set(key, row)
  return row
}

/** The main module as one row, like any dependency, with its packages under it: scattered, they hide its weight. */
export function withMainModule(split: Breakdown): Breakdown {
  const own = split.rows.filter(r => r.kind === 'package')
  if (own.length === 0) return split
  const sum = (pick: (r: SizeRow) => number) => own.reduce((total, r) => total + pick(r), 0)
  const embedded = sum(r => r.embedded ?? 0)
  const main: SizeRow = {
    key: split.info.mainModule || own[0].key,
    kind: 'main',
    bytes: sum(r => r.bytes),
    ...(embedded > 0 ? { embedded } : {}),
    packages: own
  }
  return { ...split, rows: [...split.rows.filter(r => r.kind !== 'package'), main].sort((a, b) => b.bytes - a.bytes) }
}
