/** Just enough ELF to prove a binary runs on an empty image: no interpreter, no shared libraries. */

export interface ElfFacts {
  machine: number
  /** PT_INTERP: the dynamic loader the kernel would start first (absent on scratch). */
  interpreter?: string
  /** DT_NEEDED: shared libraries the loader would have to find. */
  needed: string[]
  /** PT_LOAD segments' file-backed ranges: what lies past filesz (bss) takes no bytes in the file. */
  loads: Load[]
}

/** A loaded segment: `filesz` bytes at file `offset` are mapped at `vaddr`. */
export interface Load {
  vaddr: number
  filesz: number
  offset: number
}

/**
 * Where `length` bytes mapped at `vaddr` lie in the file, when one segment's file bytes hold them all. Reads come in
 * runs within one segment, so the segment of the last answer is tried first.
 */
export function fileOffsets(loads: readonly Load[]): (vaddr: number, length?: number) => number | undefined {
  const holds = (l: Load, vaddr: number, length: number) => vaddr >= l.vaddr && vaddr + length <= l.vaddr + l.filesz
  let last: Load | undefined
  return (vaddr, length = 1) => {
    if (!(last && holds(last, vaddr, length))) {
      const found = loads.find(l => holds(l, vaddr, length))
      if (!found) return undefined
      last = found
    }
    return last.offset + (vaddr - last.vaddr)
  }
}

const PT_LOAD = 1
const PT_DYNAMIC = 2
const PT_INTERP = 3
const DT_NEEDED = 1
const DT_STRTAB = 5

/** e_machine values of the Go linux ports, by GOARCH. */
export const ELF_MACHINE: Record<string, number> = {
  '386': 3,
  amd64: 62,
  arm: 40,
  arm64: 183,
  ppc64le: 21,
  s390x: 22,
  riscv64: 243,
  loong64: 258,
  mips64le: 8
}

/** Reads fields of an ELF file in its own class (32 or 64 bit) and byte order. */
export function elfReader(buf: Buffer) {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file')
  const is64 = buf[4] === 2
  const little = buf[5] === 1
  const u16 = (o: number) => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o))
  const u32 = (o: number) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o))
  // Two 32-bit reads: exact below 2^53 (every address and size), and much cheaper than a BigInt per word.
  const word = (o: number) => (is64 ? (little ? u32(o) + u32(o + 4) * 2 ** 32 : u32(o + 4) + u32(o) * 2 ** 32) : u32(o))
  const cString = (offset: number) => {
    const end = buf.indexOf(0, offset)
    return buf.toString('latin1', offset, end < 0 ? buf.length : end)
  }
  return { is64, u16, u32, word, cString }
}

export function readElf(buf: Buffer): ElfFacts {
  const { is64, u16, u32, word, cString } = elfReader(buf)
  const wordSize = is64 ? 8 : 4

  const machine = u16(18)
  const phoff = word(is64 ? 32 : 28)
  const phentsize = u16(is64 ? 54 : 42)
  const phnum = u16(is64 ? 56 : 44)

  const segments = Array.from({ length: phnum }, (_, i) => {
    const at = phoff + i * phentsize
    if (at + phentsize > buf.length) throw new Error('truncated ELF program headers')
    return is64
      ? { type: u32(at), offset: word(at + 8), vaddr: word(at + 16), filesz: word(at + 32) }
      : { type: u32(at), offset: u32(at + 4), vaddr: u32(at + 8), filesz: u32(at + 16) }
  })
  const interp = segments.find(s => s.type === PT_INTERP)
  const loads = segments.filter(s => s.type === PT_LOAD).map(({ vaddr, filesz, offset }) => ({ vaddr, filesz, offset }))
  const facts: ElfFacts = { machine, needed: [], loads }
  const fileOffset = fileOffsets(loads)
  if (interp) facts.interpreter = cString(interp.offset)

  const dynamic = segments.find(s => s.type === PT_DYNAMIC)
  if (dynamic) {
    const entries: Array<[number, number]> = []
    for (let at = dynamic.offset; at + 2 * wordSize <= dynamic.offset + dynamic.filesz; at += 2 * wordSize) {
      const tag = word(at)
      if (tag === 0) break
      entries.push([tag, word(at + wordSize)])
    }
    const strtab = entries.find(([tag]) => tag === DT_STRTAB)
    const strtabOffset = strtab ? fileOffset(strtab[1]) : undefined
    for (const [tag, value] of entries) {
      if (tag !== DT_NEEDED) continue
      facts.needed.push(strtabOffset === undefined ? `(library #${value})` : cString(strtabOffset + value))
    }
  }
  return facts
}

/** Why the binary would not start on scratch, or undefined when it is static. */
export function staticProblem(facts: ElfFacts, goarch: string): string | undefined {
  const expected = ELF_MACHINE[goarch]
  if (expected !== undefined && facts.machine !== expected) {
    return `it is built for ELF machine ${facts.machine}, not ${goarch} (${expected})`
  }
  const reasons: string[] = []
  if (facts.interpreter) reasons.push(`it asks for the dynamic loader ${facts.interpreter}`)
  if (facts.needed.length > 0) reasons.push(`it needs the shared libraries ${facts.needed.join(', ')}`)
  if (reasons.length === 0) return undefined
  return `${reasons.join(' and ')}, which an empty (scratch) image does not have`
}
