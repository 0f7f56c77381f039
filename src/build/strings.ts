import type { GoSymbol } from './symbols.js'

/**
 * String literals are packed by the linker into one carrier, go:string.*, that no symbol sizes. Each is found where
 * code takes its address or data points at it (a string header), and runs to the next one found; it counts for the
 * packages that use it, split evenly when several do (the linker keeps one copy of equal literals). A literal local to
 * a function (statik's generated init, a template) counts for the function's package.
 */

export interface Region {
  start: number
  end: number
}

/** The bytes of a carrier symbol: from its address to the next symbol's (the linker lays the carriers out in a row). */
export function carrierRegion(symbols: GoSymbol[], name: string): Region | undefined {
  const start = symbols.find(s => s.name === name)?.address
  if (start === undefined) return undefined
  let end = Infinity
  for (const s of symbols) if (s.address !== undefined && s.address > start && s.address < end) end = s.address
  return end === Infinity ? undefined : { start, end }
}

/** A test of whether an address is in any of many regions: a binary search of them, sorted. */
export function inRegions(regions: Region[]): (address: number) => boolean {
  const sorted = [...regions].sort((a, b) => a.start - b.start)
  return address => {
    let [low, high] = [0, sorted.length]
    while (low < high) {
      const middle = (low + high) >> 1
      if (sorted[middle].end <= address) low = middle + 1
      else high = middle
    }
    return low < sorted.length && sorted[low].start <= address && address < sorted[low].end
  }
}

/** Each region's uses, from uses sorted by address: a slice found by binary search, not a pass over all of them. */
export function usesIn(sorted: Array<{ target: number; pkg?: string }>, region: Region): Array<{ target: number; pkg?: string }> {
  const first = (address: number) => {
    let [low, high] = [0, sorted.length]
    while (low < high) {
      const middle = (low + high) >> 1
      if (sorted[middle].target < address) low = middle + 1
      else high = middle
    }
    return low
  }
  return sorted.slice(first(region.start), first(region.end))
}

/** The region's bytes by package, from the places that use them; bytes before the first use count for no package. */
export function stringCharges(region: Region, uses: Array<{ target: number; pkg?: string }>): Map<string | undefined, number> {
  const users = new Map<number, Set<string | undefined>>()
  for (const { target, pkg } of uses) {
    if (target < region.start || target >= region.end) continue
    const set = users.get(target) ?? new Set()
    set.add(pkg)
    users.set(target, set)
  }
  // A start someone with a package uses does not also count for no package.
  for (const set of users.values()) if (set.size > 1) set.delete(undefined)
  const starts = [...users.keys()].sort((a, b) => a - b)
  const charges = new Map<string | undefined, number>()
  const add = (pkg: string | undefined, bytes: number) => charges.set(pkg, (charges.get(pkg) ?? 0) + bytes)
  if (starts.length === 0 || starts[0] > region.start) add(undefined, (starts[0] ?? region.end) - region.start)
  for (const [i, start] of starts.entries()) {
    const bytes = (starts[i + 1] ?? region.end) - start
    const pkgs = users.get(start)!
    for (const pkg of pkgs) add(pkg, bytes / pkgs.size)
  }
  return charges
}
