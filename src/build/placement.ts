import { symbolPackage } from './buildinfo.js'
import { readElf, type Load } from './elf.js'
import { functionTable } from './pclntab.js'
import { codeReferences, dataReferences } from './references.js'
import { carrierRegion, stringCharges, usesIn, type Region } from './strings.js'
import type { GoSymbol } from './symbols.js'
import { typeCharges } from './types.js'

/**
 * The bytes of a Go binary that no symbol sizes, placed by package: the function table (a third of the binary), the
 * type descriptors (a tenth) and the string literals. What could not be placed is kept under what it is.
 */

export type UnsizedPart = 'functions' | 'types' | 'strings' | 'data'

export interface Placement {
  /** Each part's bytes by package; undefined: bytes of that part that no package was found for. */
  charges: Array<{ part: UnsizedPart; byPackage: Map<string | undefined, number> }>
  /** Functions whose names name no package (assembly, the linker's wrappers), placed by their compilation unit. */
  unitPackage: Map<string, string>
  /** Sized symbols whose bytes the charges stand for (go:func.*): not to be counted again. */
  replaces: Set<string>
  /** The strings and the hidden static data were placed: embedded data, which lies among them, is counted already. */
  placesData: boolean
}

type Loads = Array<Pick<Load, 'vaddr' | 'filesz' | 'offset'>>

// Gaps shorter than this between symbols are alignment.
const GAP_MIN = 32

/**
 * The static data no symbol sizes: a package's file-local data (a composite literal's backing array, a table) is
 * left out of the symbol table, and shows as a gap between the symbols of .noptrdata, .data and read-only data.
 */
function hiddenData(symbols: GoSymbol[], carriers: Array<Region | undefined>): Region[] {
  const at = (name: string) => symbols.find(s => s.name === name)?.address
  const sections = [
    [at('runtime.noptrdata'), at('runtime.enoptrdata')],
    [at('runtime.data'), at('runtime.edata')],
    [at('runtime.rodata'), at('runtime.erodata')]
  ].filter((r): r is [number, number] => r[0] !== undefined && r[1] !== undefined)
  const taken = [
    ...symbols.filter(s => s.address !== undefined && s.size > 0).map(s => ({ start: s.address!, end: s.address! + s.size })),
    ...carriers.filter((c): c is Region => c !== undefined)
  ].sort((a, b) => a.start - b.start)
  const gaps: Region[] = []
  for (const [start, end] of sections) {
    let cursor = start
    for (const t of taken) {
      if (t.end <= cursor || t.start >= end) continue
      if (t.start - cursor >= GAP_MIN) gaps.push({ start: cursor, end: t.start })
      cursor = Math.max(cursor, t.end)
    }
    if (end - cursor >= GAP_MIN) gaps.push({ start: cursor, end })
  }
  return gaps
}

function sum(maps: Array<Map<string | undefined, number>>): Map<string | undefined, number> {
  const total = new Map<string | undefined, number>()
  for (const map of maps) for (const [key, bytes] of map) total.set(key, (total.get(key) ?? 0) + bytes)
  return total
}

/** The twin's unsized bytes by package; a part whose table this reader does not know (an older Go) is left out. */
export function placeUnsized(buf: Buffer, symbols: GoSymbol[], loads: Loads, known: ReadonlySet<string>): Placement {
  // Tens of thousands of references name a few thousand functions and symbols: each name is read once.
  const seen = new Map<string, string | undefined>()
  const named = (name: string) => {
    if (!seen.has(name)) seen.set(name, symbolPackage(name, known))
    return seen.get(name)
  }
  const table = functionTable(buf, symbols, loads, named)
  const unitPackage = table?.unitPackage ?? new Map<string, string>()
  const packageOf = (name: string) => named(name) ?? unitPackage.get(name)
  const charges: Placement['charges'] = table ? [{ part: 'functions', byPackage: table.charges }] : []
  const types = carrierRegion(symbols, 'type:*')
  const strings = carrierRegion(symbols, 'go:string.*')
  const hidden = hiddenData(symbols, [types, strings])
  const regions = [types, strings, ...hidden].filter((r): r is Region => r !== undefined)
  if (regions.length === 0) return { charges, unitPackage, replaces: table?.replaces ?? new Set(), placesData: false }
  const uses = [
    ...codeReferences(buf, readElf(buf).machine, symbols, loads, regions).map(c => ({ target: c.target, pkg: packageOf(c.function) })),
    ...dataReferences(buf, symbols, loads, regions).map(d => ({ target: d.target, pkg: packageOf(d.symbol) }))
  ]
  if (types) {
    const typelink = symbols.find(s => s.name === 'runtime.typelink' && s.address !== undefined)
    const typelinks = typelink && { start: typelink.address!, end: typelink.address! + typelink.size }
    charges.push({ part: 'types', byPackage: typeCharges(buf, loads, types, { uses, typelinks }, known) })
  }
  if (strings) charges.push({ part: 'strings', byPackage: stringCharges(strings, uses) })
  const sorted = [...uses].sort((a, b) => a.target - b.target)
  charges.push({ part: 'data', byPackage: sum(hidden.map(gap => stringCharges(gap, usesIn(sorted, gap)))) })
  return { charges, unitPackage, replaces: table?.replaces ?? new Set(), placesData: strings !== undefined }
}
