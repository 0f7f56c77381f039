import { elfReader, fileOffsets, type Load } from './elf.js'
import type { GoSymbol } from './symbols.js'

/**
 * The function table (.gopclntab) is a third of a Go binary and no symbol sizes its parts: it is one table of every
 * function's name, entry, pc-value tables (stack, file, line, pcdata) and funcdata (GC maps, inline trees). Read
 * per function, as the runtime reads it (runtime/symtab.go, Go 1.18 on), each part is charged to the function that
 * owns it, so it counts for that function's package. Tables the linker shares between functions are split evenly.
 */

/** The function table charged to packages (undefined: functions whose package is not known). */
export interface FunctionTable {
  charges: Map<string | undefined, number>
  /** Functions whose names name no package (assembly, the linker's wrappers), placed by their compilation unit's package. */
  unitPackage: Map<string, string>
  /** Sized symbols whose bytes the charges stand for (go:func.*): not to be counted again. */
  replaces: Set<string>
}

// The pcHeader magics of Go 1.18-1.19 and of 1.20 on: the header's layout is the same.
const MAGICS = new Set([0xfffffff0, 0xfffffff1])
// _func: entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset, startLine (4 bytes each),
// funcID, flag, a pad byte, nfuncdata; then npcdata and nfuncdata uint32 offsets.
const FUNC_FIXED = 44
const NO_DATA = 0xffffffff

type Loads = Array<Pick<Load, 'vaddr' | 'filesz' | 'offset'>>

/** The length of a pc-value table: pairs of varints (value delta, pc delta) up to a 0 value byte after the first pair. */
export function pcTableLength(buf: Buffer, start: number): number {
  let i = start
  let first = true
  for (;;) {
    if (i >= buf.length) return i - start
    if (buf[i] === 0 && !first) return i - start + 1
    first = false
    // Two varints: each ends at a byte below 0x80.
    for (let varint = 0; varint < 2; varint++) {
      while (i < buf.length && buf[i] & 0x80) i++
      i++
    }
  }
}

/** The table's parts as file offsets, read from its header. */
interface Header {
  nfunc: number
  funcnametab: number
  cutab: number
  cuEntries: number
  filetab: number
  pctab: number
  pcln: number
}

function readHeader(buf: Buffer, base: number): Header | undefined {
  const { u32, word } = elfReader(buf)
  if (!MAGICS.has(u32(base))) return undefined
  const ptr = buf[base + 7]
  const field = (i: number) => (ptr === 8 ? word(base + 8 + i * 8) : u32(base + 8 + i * 4))
  const [nfunc, , , funcname, cu, file, pc, pcln] = Array.from({ length: 8 }, (_, i) => field(i))
  return { nfunc, funcnametab: base + funcname, cutab: base + cu, cuEntries: (file - cu) / 4, filetab: base + file, pctab: base + pc, pcln: base + pcln }
}

/** Every function's record, flattened: what it owns and where its tables are. */
interface Functions {
  names: string[]
  pkgs: Array<string | undefined>
  units: Uint32Array
  /** Its record and functab entry. */
  own: Uint32Array
  /** Its pc-value table offsets, and funcdata offsets, each run from `first[i]` to `first[i + 1]`. */
  tables: number[]
  tableFirst: Uint32Array
  data: number[]
  dataFirst: Uint32Array
}

function readFunctions(buf: Buffer, h: Header, packageOf: (name: string) => string | undefined): Functions {
  const { u32 } = elfReader(buf)
  const n = h.nfunc
  const f: Functions = {
    names: [],
    pkgs: [],
    units: new Uint32Array(n),
    own: new Uint32Array(n),
    tables: [],
    tableFirst: new Uint32Array(n + 1),
    data: [],
    dataFirst: new Uint32Array(n + 1)
  }
  for (let i = 0; i < n; i++) {
    const at = h.pcln + u32(h.pcln + 8 * i + 4)
    const [nameOff, npcdata, nfuncdata] = [u32(at + 4), u32(at + 28), buf[at + 43]]
    const nameAt = h.funcnametab + nameOff
    const name = buf.toString('latin1', nameAt, buf.indexOf(0, nameAt))
    f.names.push(name)
    f.pkgs.push(packageOf(name))
    f.units[i] = u32(at + 32)
    f.own[i] = FUNC_FIXED + 4 * (npcdata + nfuncdata) + 8
    f.tableFirst[i] = f.tables.length
    for (const o of [16, 20, 24]) if (u32(at + o) !== 0) f.tables.push(u32(at + o))
    for (let j = 0; j < npcdata; j++) if (u32(at + FUNC_FIXED + 4 * j) !== 0) f.tables.push(u32(at + FUNC_FIXED + 4 * j))
    f.dataFirst[i] = f.data.length
    for (let j = 0; j < nfuncdata; j++) {
      const offset = u32(at + FUNC_FIXED + 4 * (npcdata + j))
      if (offset !== NO_DATA) f.data.push(offset)
    }
  }
  f.tableFirst[n] = f.tables.length
  f.dataFirst[n] = f.data.length
  return f
}

/** How many functions use each shared piece (a table, a funcdata blob, a name). */
function users(offsets: ArrayLike<number>): Map<number, number> {
  const count = new Map<number, number>()
  for (let i = 0; i < offsets.length; i++) count.set(offsets[i], (count.get(offsets[i]) ?? 0) + 1)
  return count
}

/** The funcdata blobs' sizes: each runs to the next one's start, the last to the end of go:func.*. */
function funcdataSizes(offsets: Iterable<number>, gofuncSize: number): Map<number, number> {
  const starts = [...offsets].filter(o => o < gofuncSize).sort((a, b) => a - b)
  return new Map(starts.map((start, i) => [start, (starts[i + 1] ?? gofuncSize) - start]))
}

/**
 * Every function's share of the function table: its record and functab entry, its name, its pc-value tables, its
 * funcdata, and its compilation unit's file list (charged to the unit's first function). Undefined when the twin has
 * no pclntab this reader knows (a Go before 1.18).
 */
export function functionTable(buf: Buffer, symbols: GoSymbol[], loads: Loads, packageOf: (name: string) => string | undefined): FunctionTable | undefined {
  const find = (name: string) => symbols.find(s => s.name === name && s.address !== undefined)
  const table = find('runtime.pclntab')
  const gofunc = find('go:func.*')
  const at = table && fileOffsets(loads)(table.address!)
  if (at === undefined) return undefined
  const h = readHeader(buf, at)
  if (!h) return undefined
  const f = readFunctions(buf, h, packageOf)
  const unitPackage = unitPackages(f)
  const pkgOf = (i: number) => f.pkgs[i] ?? unitPackage.get(f.names[i])
  const charges = new Map<string | undefined, number>()
  const add = (i: number, bytes: number) => {
    const pkg = pkgOf(i)
    charges.set(pkg, (charges.get(pkg) ?? 0) + bytes)
  }
  const [tableUsers, dataUsers] = [users(f.tables), users(f.data)]
  const tableSize = new Map<number, number>()
  for (const offset of tableUsers.keys()) tableSize.set(offset, pcTableLength(buf, h.pctab + offset))
  const dataSize = funcdataSizes(dataUsers.keys(), gofunc?.size ?? 0)
  for (let i = 0; i < h.nfunc; i++) {
    let bytes = f.own[i]
    for (let j = f.tableFirst[i]; j < f.tableFirst[i + 1]; j++) bytes += tableSize.get(f.tables[j])! / tableUsers.get(f.tables[j])!
    for (let j = f.dataFirst[i]; j < f.dataFirst[i + 1]; j++) bytes += (dataSize.get(f.data[j]) ?? 0) / dataUsers.get(f.data[j])!
    add(i, bytes)
  }
  chargeUnits(buf, h, f, add)
  chargeNames(
    buf,
    h,
    name => packageOf(name) ?? unitPackage.get(name),
    (pkg, bytes) => charges.set(pkg, (charges.get(pkg) ?? 0) + bytes)
  )
  return { charges, unitPackage, replaces: new Set(gofunc ? ['go:func.*'] : []) }
}

/**
 * Every name in funcnametab, each counted for the package it names: the functions' own, and those of functions
 * inlined everywhere they are called, which only the inline trees point at.
 */
function chargeNames(buf: Buffer, h: Header, packageOf: (name: string) => string | undefined, add: (pkg: string | undefined, bytes: number) => void) {
  for (let at = h.funcnametab; at < h.cutab;) {
    const end = buf.indexOf(0, at)
    if (end < 0 || end >= h.cutab) break
    add(packageOf(buf.toString('latin1', at, end)), end - at + 1)
    at = end + 1
  }
}

/**
 * A compilation unit is one package's code: the functions of a unit whose names name no package (assembly like
 * aeshashbody, the wrappers of unnamed types) belong to the package most of its named functions belong to.
 */
function unitPackages(f: Functions): Map<string, string> {
  const votes = new Map<number, Map<string, number>>()
  f.pkgs.forEach((pkg, i) => {
    if (pkg === undefined || f.units[i] === NO_DATA) return
    const unit = votes.get(f.units[i]) ?? new Map<string, number>()
    unit.set(pkg, (unit.get(pkg) ?? 0) + 1)
    votes.set(f.units[i], unit)
  })
  const placed = new Map<string, string>()
  f.pkgs.forEach((pkg, i) => {
    const unit = pkg === undefined ? votes.get(f.units[i]) : undefined
    const best = unit && [...unit.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))
    if (best) placed.set(f.names[i], best[0])
  })
  return placed
}

/**
 * Each compilation unit's file list (cutab entries) and the file names they point at (filetab), charged to the unit's
 * first function: a unit is one package's code (a file name shared by units counts for the first).
 */
function chargeUnits(buf: Buffer, h: Header, f: Functions, add: (i: number, bytes: number) => void): void {
  const { u32 } = elfReader(buf)
  const first = new Map<number, number>()
  f.units.forEach((unit, i) => unit !== NO_DATA && !first.has(unit) && first.set(unit, i))
  const units = [...first.keys()].sort((a, b) => a - b)
  const files = new Set<number>()
  for (const [k, start] of units.entries()) {
    const end = units[k + 1] ?? h.cuEntries
    let bytes = 4 * (end - start)
    for (let entry = start; entry < end; entry++) {
      const offset = u32(h.cutab + 4 * entry)
      if (offset === NO_DATA || files.has(offset)) continue
      files.add(offset)
      const at = h.filetab + offset
      bytes += buf.indexOf(0, at) - at + 1
    }
    add(first.get(start)!, bytes)
  }
}
