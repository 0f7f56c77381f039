/**
 * A branch's size over time, kept with the measurements the runs store: each stored record carries the points of its
 * branch's measured commits up to its own, so the lookup that reads a base (or a push's earlier commit) reads the
 * history with it, with no other service, permission or branch. Commits no run measured are simply absent. Pure.
 */

/** How many measured commits a record keeps: the 30, with room for a pull request's own base to be one more. */
export const HISTORY_KEPT = 40

export interface HistoryPoint {
  /** The commit measured, 40 (or 64) hex digits. */
  commit: string
  /** The commit's date (git's committer date, ISO 8601), when the run could read it. */
  date?: string
  /** The version the run injected (a tag, a pseudo-version, 0.1.0): text from the repository, shown in code spans only. */
  version?: string
  /** The Go release it was built with: a change is marked as a break. */
  goVersion: string
  /** The fingerprint of everything else that shapes the image (settings, stage files, Go variables): a change is marked. */
  shape: string
  images: Array<{ platform: string; wire: number; binary: number }>
}

/** A stored record (what it measured) as one point of its branch's history. */
export function pointOf(
  record: { commit: string; goVersion: string; images: HistoryPoint['images'] },
  shape: string,
  facts: { date?: string; version?: string }
): HistoryPoint {
  return {
    commit: record.commit,
    ...(facts.date ? { date: facts.date } : {}),
    ...(facts.version ? { version: facts.version } : {}),
    goVersion: record.goVersion,
    shape,
    images: record.images.map(({ platform, wire, binary }) => ({ platform, wire, binary }))
  }
}

/** The history with `point` as its last: an earlier point of the same commit (a re-run) gives way, the oldest go past HISTORY_KEPT. */
export function extended(history: HistoryPoint[] | undefined, point: HistoryPoint): HistoryPoint[] {
  return [...(history ?? []).filter(p => p.commit !== point.commit), point].slice(-HISTORY_KEPT)
}

/** Why a point starts a new stretch of the history: what changed from the point before it. */
export type Break = { kind: 'toolchain'; from: string; to: string } | { kind: 'settings' }

/** The break before each point (undefined for the first and for a point built as the one before it). */
export function breakBefore(
  previous: Pick<HistoryPoint, 'goVersion' | 'shape'> | undefined,
  point: Pick<HistoryPoint, 'goVersion' | 'shape'>
): Break | undefined {
  if (!previous) return undefined
  if (previous.goVersion !== point.goVersion) return { kind: 'toolchain', from: previous.goVersion, to: point.goVersion }
  if (previous.shape !== point.shape) return { kind: 'settings' }
  return undefined
}
