import { symbolPackage } from './buildinfo.js'
import { readElf, type Load } from './elf.js'
import { functionTable } from './pclntab.js'
import { codeReferences, dataReferences } from './references.js'
import { carrierRegion, stringCharges, type Region } from './strings.js'
import type { GoSymbol } from './symbols.js'
import { typeCharges } from './types.js'

/**
 * The bytes of a Go binary that no symbol sizes, placed by package: the function table (a third of the binary), the
 * type descriptors (a tenth) and the string literals. What could not be placed is kept under what it is.
 */

export type UnsizedPart = 'functions' | 'types' | 'strings'

export interface Placement {
  /** Each part's bytes by package; undefined: bytes of that part that no package was found for. */
  charges: Array<{ part: UnsizedPart; byPackage: Map<string | undefined, number> }>
  /** Functions whose names name no package (assembly, the linker's wrappers), placed by their compilation unit. */
  unitPackage: Map<string, string>
  /** Sized symbols whose bytes the charges stand for (go:func.*): not to be counted again. */
  replaces: Set<string>
  /** The strings were placed: the embedded data among them is counted already. */
  placesStrings: boolean
}

type Loads = Array<Pick<Load, 'vaddr' | 'filesz' | 'offset'>>

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
  const regions = [types, strings].filter((r): r is Region => r !== undefined)
  if (regions.length === 0) return { charges, unitPackage, replaces: table?.replaces ?? new Set(), placesStrings: false }
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
  return { charges, unitPackage, replaces: table?.replaces ?? new Set(), placesStrings: strings !== undefined }
}
