import semver from 'semver'
import type { EmbeddedData } from './embedded.js'
import type { Load } from './elf.js'
import type { GoSymbol } from './symbols.js'

/**
 * Where a binary's bytes go, by module and by package, and what changed between two builds: the answer to
 * "why did it grow" that a size gate owes the author. Module versions come from the build info every Go binary
 * carries (stripping keeps it); bytes come from the symbol table of the unstripped twin, which is linked anyway.
 */

export interface ModuleVersion {
  path: string
  version: string
  /** `path version` of a replace directive's target, as the build info records it. */
  replacedBy?: string
}

export interface BuildInfo {
  /** The main package's import path (`main` in symbol names). */
  mainPackage: string
  mainModule: string
  /** Dependencies linked into the binary. */
  deps: ModuleVersion[]
}

/** Parses the module information as `go version -m` prints it: `path`, `mod`, `dep` lines, a dep's replacement as `=>`. */
export function parseBuildInfo(text: string): BuildInfo {
  const info: BuildInfo = { mainPackage: '', mainModule: '', deps: [] }
  for (const line of text.split('\n')) {
    const [kind, path, version] = line.trim().split('\t')
    if (kind === 'path') info.mainPackage = path
    else if (kind === 'mod') info.mainModule = path
    else if (kind === 'dep') info.deps.push({ path, version: version ?? '' })
    else if (kind === '=>' && info.deps.length > 0) {
      const last = info.deps[info.deps.length - 1]
      last.replacedBy = [path, version].filter(Boolean).join(' ')
    }
  }
  return info
}

const unescape = (pkg: string) => pkg.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

/**
 * The package a linker symbol belongs to, or undefined for the linker's own tables (`go:func.*`, `type:*`).
 * Handles methods `pkg.(*T).M`, generics `pkg.F[other/pkg.T]`, itabs `go:itab.*pkg.T,io.Writer`, type
 * equality functions `type:.eq.pkg.T`, and the `%2e` the linker writes for a dot in the last path element.
 */
export function symbolPackage(symbol: string): string | undefined {
  let name = symbol
  if (name.startsWith('go:itab.')) name = name.slice('go:itab.'.length).split(',')[0]
  else if (name.startsWith('type:.eq.')) name = name.slice('type:.eq.'.length)
  else if (name.startsWith('go:') || name.startsWith('type:')) return undefined
  name = name.replace(/^(\*|\[\d*\])+/, '')
  // go.shape.* are the compiler's stand-ins for type parameters; an unnamed type (struct {…}) has no package.
  if (name.startsWith('go.shape.')) return undefined
  name = name.split(/[[ {]/)[0]
  const slash = name.lastIndexOf('/')
  const dot = name.indexOf('.', slash + 1)
  if (dot <= 0) return undefined
  return unescape(name.slice(0, dot))
}

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
  other: 'linker tables with no package (go:func.*, type:*, go:string.*)'
}

const versionLabel = (m: ModuleVersion) => (m.replacedBy ? `${m.version} => ${m.replacedBy}` : m.version)

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
  embedded: EmbeddedData[] = []
): Breakdown {
  const rows = new Map<string, SizeRow>()
  // Tens of thousands of symbols share a few hundred packages: each package is placed once.
  const placed = new Map<string | undefined, Omit<SizeRow, 'bytes'>>()
  const entryOf = (symbol: string) => {
    const pkg = symbolPackage(symbol)
    const row = placed.get(pkg) ?? rowOf(pkg, info)
    placed.set(pkg, row)
    const entry = rows.get(row.key) ?? { ...row, bytes: 0 }
    rows.set(row.key, entry)
    return entry
  }
  let explained = 0
  for (const symbol of symbols) {
    const bytes = fileBytes(symbol, loads)
    if (bytes === 0) continue
    entryOf(symbol.name).bytes += bytes
    explained += bytes
  }
  for (const data of embedded) {
    const entry = entryOf(data.variable)
    entry.embedded = (entry.embedded ?? 0) + data.bytes
    if (data.sized) continue
    entry.bytes += data.bytes
    explained += data.bytes
  }
  return { binary, explained, rows: [...rows.values()].sort((a, b) => b.bytes - a.bytes), info }
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

export interface ModuleChange {
  path: string
  change: 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed'
  from?: string
  to?: string
}

/** Dependencies added, removed, upgraded or downgraded (or differently replaced) between two builds. */
export function moduleChanges(base: ModuleVersion[], head: ModuleVersion[]): ModuleChange[] {
  const before = new Map(base.map(m => [m.path, m]))
  const after = new Map(head.map(m => [m.path, m]))
  const changes: ModuleChange[] = []
  for (const m of head) {
    const old = before.get(m.path)
    if (!old) changes.push({ path: m.path, change: 'added', to: versionLabel(m) })
    else if (versionLabel(old) !== versionLabel(m)) changes.push({ path: m.path, change: direction(old, m), from: versionLabel(old), to: versionLabel(m) })
  }
  for (const m of base) if (!after.has(m.path)) changes.push({ path: m.path, change: 'removed', from: versionLabel(m) })
  return changes.sort((a, b) => a.path.localeCompare(b.path))
}

function direction(old: ModuleVersion, now: ModuleVersion): ModuleChange['change'] {
  if (old.replacedBy || now.replacedBy || !semver.valid(old.version) || !semver.valid(now.version)) return 'changed'
  const order = semver.compare(now.version, old.version)
  return order > 0 ? 'upgraded' : order < 0 ? 'downgraded' : 'changed'
}

export interface RowChange extends Omit<SizeRow, 'bytes' | 'embedded' | 'packages'> {
  base: number
  head: number
  delta: number
  /** How much of the change is embedded data. */
  embeddedDelta: number
  /** Not in the base binary at all. */
  isNew: boolean
  /** The main module's packages that changed, largest change first. */
  packages?: RowChange[]
}

export interface RowDiff {
  top: RowChange[]
  /** The rows past the top, summed. */
  rest: { rows: number; delta: number }
}

/** Rows joined across base and head (the main module's packages too), the largest absolute changes first; unchanged rows are left out. */
function joinRows(base: SizeRow[], head: SizeRow[]): RowChange[] {
  const keys = [...new Set([...head, ...base].map(r => r.key))]
  return keys
    .map(key => {
      const [was, now] = [base.find(r => r.key === key), head.find(r => r.key === key)]
      const { key: k, kind, version } = (now ?? was)!
      const change: RowChange = {
        key: k,
        kind,
        version,
        base: was?.bytes ?? 0,
        head: now?.bytes ?? 0,
        delta: (now?.bytes ?? 0) - (was?.bytes ?? 0),
        embeddedDelta: (now?.embedded ?? 0) - (was?.embedded ?? 0),
        isNew: !was
      }
      if (kind === 'main') change.packages = joinRows(was?.packages ?? [], now?.packages ?? [])
      return change
    })
    .filter(r => r.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))
}

/** Rows joined across base and head, the largest absolute changes first, the top `limit` of them apart. */
export function compareRows(base: Breakdown, head: Breakdown, limit = 10): RowDiff {
  const changed = joinRows(base.rows, head.rows)
  const rest = changed.slice(limit)
  return { top: changed.slice(0, limit), rest: { rows: rest.length, delta: rest.reduce((sum, r) => sum + r.delta, 0) } }
}

/** The one row that explains most (over half) of the binary's change, in the same direction. */
export function dominantRow(diff: RowDiff, binaryDelta: number): RowChange | undefined {
  const first = diff.top[0]
  if (!first || binaryDelta === 0 || Math.sign(first.delta) !== Math.sign(binaryDelta)) return undefined
  return Math.abs(first.delta) * 2 > Math.abs(binaryDelta) ? first : undefined
}

/** What one platform's report says about where the bytes went, and (with a base) what changed. */
export interface Attribution {
  platform: string
  head: Breakdown
  base?: Breakdown
  /** Module changes, when the base's build info could be read (a rebuilt base, or the base image's binary). */
  modules?: ModuleChange[]
  rows?: RowDiff
  /** Why part of the comparison is missing (no base binary, UPX-packed base image, …). */
  note?: string
}

export function attribute(platform: string, split: Breakdown, baseSplit?: Breakdown, baseInfo?: BuildInfo, note?: string): Attribution {
  const info = baseSplit?.info ?? baseInfo
  // Grouped here, not when split: a stored base (kept by package) compares with the head the same way.
  const [head, base] = [withMainModule(split), baseSplit && withMainModule(baseSplit)]
  return {
    platform,
    head,
    base,
    modules: info ? moduleChanges(info.deps, head.info.deps) : undefined,
    rows: base ? compareRows(base, head) : undefined,
    note
  }
}

/** What the base offers for attribution, per platform: a rebuilt base's split, or a base image's build info. */
export interface BaseAttribution {
  platform: string
  breakdown?: Breakdown
  buildInfo?: BuildInfo
}

/**
 * One attribution per head platform. `baseNote` says why the base has no split when a baseline exists but
 * offers none (a base image is not rebuilt; its binary may be unreadable or packed).
 */
export function attributions(
  head: Array<{ platform: string; breakdown?: Breakdown }>,
  base: BaseAttribution[] | undefined,
  baseNote: string | undefined
): Attribution[] {
  return head
    .filter((h): h is { platform: string; breakdown: Breakdown } => h.breakdown !== undefined)
    .map(h => {
      const b = base?.find(x => x.platform === h.platform)
      return attribute(h.platform, h.breakdown, b?.breakdown, b?.buildInfo, b?.breakdown ? undefined : baseNote)
    })
}
