import type { Region } from './strings.js'
import { elfReader, fileOffsets, type Load } from './elf.js'

/**
 * Type descriptors are a tenth of a Go binary and the linker hides their symbols (type:* is one carrier of size 0).
 * They are found where the program points at them (interface values and itabs in data, a pointer type's element,
 * a struct's fields, typelinks, a type's own method and pointer offsets) and read as the runtime reads them
 * (internal/abi.Type): a named type belongs to the package its uncommon part names, a pointer, slice, array, chan or
 * map to its element's, a struct to the package of its unexported fields or of its first field. Each runs to the
 * next one found; the names they point at count with them.
 */

const KIND = { array: 17, chan: 18, func: 19, interface: 20, map: 21, pointer: 22, slice: 23, struct: 25 }
const TFLAG_UNCOMMON = 1
const TFLAG_NAMED = 4
// Elements followed at most this deep to find a package: [][]*map[string]T.
const DEPTH = 6

interface Layout {
  ptr: number
  /** abi.Type's size: Size_, PtrBytes (words), Hash, TFlag, Align, FieldAlign, Kind, Equal, GCData (words), Str, PtrToThis. */
  header: number
}

/** Bytes of the kind-specific part after the header, where the uncommon part begins (Go 1.24 on: swiss maps). */
function kindSize(kind: number, { ptr }: Layout): number {
  const align = (n: number) => Math.ceil(n / ptr) * ptr
  switch (kind) {
    case KIND.array:
      return 3 * ptr
    case KIND.chan:
      return 2 * ptr
    case KIND.func:
      return align(4)
    case KIND.interface:
    case KIND.struct:
      return 4 * ptr
    case KIND.map:
      // Key, Elem, Group, Hasher; GroupSize, SlotSize, ElemOff; Flags.
      return 7 * ptr + align(4)
    case KIND.pointer:
    case KIND.slice:
      return ptr
    default:
      return 0
  }
}

/** The file's bytes at virtual addresses, in the file's byte order. */
function reader(buf: Buffer, loads: Array<Pick<Load, 'vaddr' | 'filesz' | 'offset'>>) {
  const { u32, word, is64 } = elfReader(buf)
  return { u32, word, is64, fileAt: fileOffsets(loads), byte: (at: number) => buf[at] }
}

/** An abi.Name: a flags byte, a varint length, the bytes. */
function nameAt(buf: Buffer, at: number | undefined): string | undefined {
  if (at === undefined || at >= buf.length) return undefined
  let length = 0
  let shift = 0
  let i = at + 1
  for (; i < buf.length && shift < 28; i++) {
    length |= (buf[i] & 0x7f) << shift
    shift += 7
    if ((buf[i] & 0x80) === 0) break
  }
  return i + 1 + length <= buf.length ? buf.toString('latin1', i + 1, i + 1 + length) : undefined
}

/** The bytes of each type descriptor, by the package it belongs to (undefined: none found). */
export type TypeCharges = Map<string | undefined, number>

interface Found {
  kind: number
  tflag: number
  /** The runtime's own name of the type, for unnamed ones: `*http.Server`, `func(int) error`. */
  str: number
}

/**
 * The type descriptors in `region`, each charged to its package; `known` holds the build's packages (a package path
 * read from a descriptor counts only when it is one of them), `uses` the places that point at a descriptor from code
 * or data, with their package (the fallback owner), and typelinks the runtime's own list of some of them.
 */
export function typeCharges(
  buf: Buffer,
  loads: Array<Pick<Load, 'vaddr' | 'filesz' | 'offset'>>,
  region: Region,
  sources: { uses: Array<{ target: number; pkg?: string }>; typelinks?: { start: number; end: number } },
  known: ReadonlySet<string>
): TypeCharges {
  const r = reader(buf, loads)
  const layout: Layout = { ptr: r.is64 ? 8 : 4, header: r.is64 ? 48 : 32 }
  const inRegion = (a: number) => a >= region.start && a < region.end
  const referrer = new Map<number, string | undefined>()
  const parent = new Map<number, number>()
  const found = new Map<number, Found>()
  // Each name, with the descriptors that use it (names are shared: field X, method String).
  const nameUsers = new Map<number, number[]>()
  const queue: number[] = []
  const queued = new Set<number>()
  const note = (address: number, pkg?: string) => {
    if (!inRegion(address)) return
    if (!referrer.has(address) || (referrer.get(address) === undefined && pkg)) referrer.set(address, pkg)
    if (!queued.has(address)) {
      queued.add(address)
      queue.push(address)
    }
  }
  for (const { target, pkg } of sources.uses) note(target, pkg)
  const links = sources.typelinks && r.fileAt(sources.typelinks.start)
  if (sources.typelinks && links !== undefined) {
    for (let at = 0; at + 4 <= sources.typelinks.end - sources.typelinks.start; at += 4) note(region.start + r.u32(links + at))
  }
  // Descriptors point at more: their elements, fields, pointer type, methods' types.
  while (queue.length > 0) {
    const address = queue.pop()!
    if (found.has(address)) continue
    const type = readType(r, layout, address, region)
    if (!type) continue
    found.set(address, type.found)
    for (const next of type.points) {
      if (!parent.has(next) && next !== address) parent.set(next, address)
      note(next)
    }
    for (const name of type.names) {
      if (!inRegion(name)) continue
      const users = nameUsers.get(name)
      if (users) users.push(address)
      else nameUsers.set(name, [address])
    }
  }
  return charge(buf, r, layout, region, { found, nameUsers, referrer, parent }, known)
}

/** A descriptor's header and what it points at; undefined where the bytes are no descriptor. */
function readType(r: ReturnType<typeof reader>, layout: Layout, address: number, region: Region) {
  const at = r.fileAt(address)
  if (at === undefined || at + layout.header > r.fileAt(region.end - 1)! + 1) return undefined
  const p = layout.ptr
  const tflag = r.byte(at + 2 * p + 4)
  const align = r.byte(at + 2 * p + 5)
  const kind = r.byte(at + 2 * p + 7) & 0x1f
  if (kind === 0 || kind > 26 || ![1, 2, 4, 8, 16].includes(align) || (tflag & ~0x3f) !== 0) return undefined
  const str = r.u32(at + 4 * p + 8)
  const ptrToThis = r.u32(at + 4 * p + 12)
  if (str >= region.end - region.start) return undefined
  // The types it points at, and the names (abi.Name) it uses: its own, its fields', its methods', its package's.
  const points: number[] = []
  const names: number[] = [region.start + str]
  const offset = (value: number) => (value !== 0 && value !== 0xffffffff ? region.start + value : undefined)
  const push = (list: number[], value: number | undefined) => {
    if (value !== undefined) list.push(value)
  }
  push(points, offset(ptrToThis))
  const body = at + layout.header
  if ([KIND.array, KIND.chan, KIND.pointer, KIND.slice].includes(kind)) points.push(r.word(body))
  if (kind === KIND.map) points.push(r.word(body), r.word(body + p), r.word(body + 2 * p))
  if (kind === KIND.struct || kind === KIND.interface) {
    names.push(r.word(body))
    const [list, count] = [r.fileAt(r.word(body + p)), Math.min(r.word(body + 2 * p), 10_000)]
    for (let i = 0; list !== undefined && i < count; i++) {
      // A struct field: Name, Typ, Offset (words); an interface method: Name, Typ (offsets from the types).
      const [name, typ] =
        kind === KIND.struct ? [r.word(list + 3 * i * p), r.word(list + (3 * i + 1) * p)] : [offset(r.u32(list + 8 * i)), offset(r.u32(list + 8 * i + 4))]
      push(names, name)
      push(points, typ)
    }
  }
  if (tflag & TFLAG_UNCOMMON) {
    const uncommon = body + kindSize(kind, layout)
    push(names, offset(r.u32(uncommon)))
    const [mcount, moff] = [r.u32(uncommon + 4) & 0xffff, r.u32(uncommon + 8)]
    for (let i = 0; i < Math.min(mcount, 10_000); i++) {
      push(names, offset(r.u32(uncommon + moff + 16 * i)))
      push(points, offset(r.u32(uncommon + moff + 16 * i + 4)))
    }
  }
  return { found: { kind, tflag, str }, points, names }
}

interface Graph {
  found: Map<number, Found>
  nameUsers: Map<number, number[]>
  /** The package whose code or data points at a descriptor. */
  referrer: Map<number, string | undefined>
  /** The first descriptor found pointing at another (a method's signature, a field's type). */
  parent: Map<number, number>
}

/**
 * Each descriptor's bytes, to the next descriptor's or name's start, charged to its package: the one it names, else
 * the one whose code or data uses it, else its parent's, else (a composite of built-in types) the runtime's. A name
 * is split between the descriptors that use it.
 */
function charge(buf: Buffer, r: ReturnType<typeof reader>, layout: Layout, region: Region, graph: Graph, known: ReadonlySet<string>): TypeCharges {
  const { found, nameUsers, referrer, parent } = graph
  const starts = [...new Set([...found.keys(), ...nameUsers.keys()])].sort((a, b) => a - b)
  const named = new Map<number, string | undefined>()
  const namedOf = (address: number, depth = 0): string | undefined => {
    if (named.has(address)) return named.get(address)
    const type = found.get(address)
    const pkg = type && depth <= DEPTH ? namedPackage(buf, r, layout, region, address, type, known, next => namedOf(next, depth + 1)) : undefined
    named.set(address, pkg)
    return pkg
  }
  const owners = new Map<number, string>()
  const ownerOf = (address: number): string => {
    const known = owners.get(address)
    if (known !== undefined) return known
    // Set first: a cycle of parents ends at the runtime.
    owners.set(address, 'runtime')
    const up = parent.get(address)
    const owner = namedOf(address) ?? referrer.get(address) ?? (up !== undefined ? ownerOf(up) : 'runtime')
    owners.set(address, owner)
    return owner
  }
  const charges: TypeCharges = new Map()
  const add = (pkg: string | undefined, bytes: number) => charges.set(pkg, (charges.get(pkg) ?? 0) + bytes)
  for (const [i, start] of starts.entries()) {
    const bytes = (starts[i + 1] ?? region.end) - start
    const users = found.has(start) ? [start] : nameUsers.get(start)!
    for (const user of users) add(ownerOf(user), bytes / users.length)
  }
  return charges
}

/**
 * The package a descriptor names: a named type's (its uncommon part), a struct's or interface's with unexported
 * fields or methods, or the one its element names (`[]*http.Request`); a named type of no package (int, error) is the
 * runtime's. Undefined for a composite of built-in types or of unnamed ones.
 */
function namedPackage(
  buf: Buffer,
  r: ReturnType<typeof reader>,
  layout: Layout,
  region: Region,
  address: number,
  type: Found,
  known: ReadonlySet<string>,
  elementOf: (address: number) => string | undefined
): string | undefined {
  const body = r.fileAt(address)! + layout.header
  const listed = (path: string | undefined) => (path !== undefined && (known.has(path) || path === 'main') ? path : undefined)
  if (type.tflag & TFLAG_UNCOMMON) {
    const pkgPath = r.u32(body + kindSize(type.kind, layout))
    const own = pkgPath === 0 ? undefined : listed(nameAt(buf, r.fileAt(region.start + pkgPath)))
    if (own) return own
    if (type.tflag & TFLAG_NAMED && pkgPath === 0) return 'runtime'
  }
  switch (type.kind) {
    case KIND.array:
    case KIND.chan:
    case KIND.pointer:
    case KIND.slice:
      return elementOf(r.word(body))
    case KIND.map:
      return elementOf(r.word(body + layout.ptr)) ?? elementOf(r.word(body))
    case KIND.struct:
    case KIND.interface:
      return listed(nameAt(buf, r.fileAt(r.word(body))))
    default:
      return undefined
  }
}
