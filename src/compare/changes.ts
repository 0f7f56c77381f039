import semver from 'semver'
import { type Breakdown, type BuildInfo, type ModuleVersion, type SizeRow, versionLabel, withMainModule } from '../build/index.js'

// What changed between the base's split and the head's: modules added, removed or moved, rows that grew.

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
