import { ELF_MACHINE, elfReader, fileOffsets, type Load } from './elf.js'
import { inRegions, type Region } from './strings.js'
import type { GoSymbol } from './symbols.js'

/**
 * The addresses a function's code takes (a type descriptor for new(T), a string literal): on amd64 a RIP-relative
 * LEA, on arm64 an ADRP and the ADD after it, as Go's assemblers emit them. Only addresses in the wanted ranges are
 * kept, so bytes of code that merely look like such an instruction are dropped unless they land there; the reader of
 * each range checks what it finds.
 */

export interface CodeReference {
  /** The function whose code takes the address. */
  function: string
  target: number
}

type Scan = (code: Buffer, pc: number, keep: (target: number) => void) => void

// LEAQ sym(SB), reg: a REX.W prefix, 8D, a ModRM of mod 00 and r/m 101 (RIP-relative), a 32-bit displacement.
export const amd64: Scan = (code, pc, keep) => {
  for (let i = 0; i + 7 <= code.length; i++) {
    if ((code[i] & 0xf8) !== 0x48 || code[i + 1] !== 0x8d || (code[i + 2] & 0xc7) !== 0x05) continue
    keep(pc + i + 7 + code.readInt32LE(i + 3))
  }
}

// ADRP Xd, page then ADD Xd', Xd, #imm12 (64-bit, unshifted): the address is page + imm12.
export const arm64: Scan = (code, pc, keep) => {
  for (let i = 0; i + 8 <= code.length; i += 4) {
    const adrp = code.readUInt32LE(i)
    if ((adrp & 0x9f000000) >>> 0 !== 0x90000000) continue
    const add = code.readUInt32LE(i + 4)
    if ((add & 0xffc00000) >>> 0 !== 0x91000000 || ((add >> 5) & 0x1f) !== (adrp & 0x1f)) continue
    const imm = (((adrp >> 5) & 0x7ffff) << 2) | ((adrp >> 29) & 3)
    const page = Math.floor((pc + i) / 4096) * 4096 + ((imm << 11) >> 11) * 4096
    keep(page + ((add >> 10) & 0xfff))
  }
}

const SCANS: Record<number, Scan> = { [ELF_MACHINE.amd64]: amd64, [ELF_MACHINE.arm64]: arm64 }

/** Every address in `ranges` that a function's code takes, with the function; none for an architecture not read. */
export function codeReferences(
  buf: Buffer,
  machine: number,
  symbols: GoSymbol[],
  loads: Array<Pick<Load, 'vaddr' | 'filesz' | 'offset'>>,
  ranges: Region[]
): CodeReference[] {
  const scan = SCANS[machine]
  if (!scan) return []
  const fileAt = fileOffsets(loads)
  const found: CodeReference[] = []
  const wanted = inRegions(ranges)
  for (const symbol of symbols) {
    if ((symbol.kind !== 'T' && symbol.kind !== 't') || symbol.address === undefined || symbol.size === 0) continue
    const at = fileAt(symbol.address, symbol.size)
    if (at === undefined) continue
    scan(buf.subarray(at, at + symbol.size), symbol.address, target => wanted(target) && found.push({ function: symbol.name, target }))
  }
  return found
}

/**
 * Every pointer-sized word of the program's pointer-holding data (.data, runtime.data to runtime.edata, and the itabs)
 * that points into `ranges`, with the symbol that holds it: an interface value's type, a string header's bytes. Data
 * the linker keeps apart for holding no pointers (.noptrdata, funcdata, constants) is not read: its numbers would
 * pass for addresses.
 */
export function dataReferences(
  buf: Buffer,
  symbols: GoSymbol[],
  loads: Array<Pick<Load, 'vaddr' | 'filesz' | 'offset'>>,
  ranges: Region[]
): Array<{ symbol: string; target: number }> {
  const { is64, word } = elfReader(buf)
  const size = is64 ? 8 : 4
  const wanted = inRegions(ranges)
  const fileAt = fileOffsets(loads)
  const bound = (name: string) => symbols.find(s => s.name === name)?.address
  const [data, edata] = [bound('runtime.data'), bound('runtime.edata')]
  // The itabs and an embed.FS's file list (its names and data) hold pointers among the read-only data.
  const holdsPointers = (s: GoSymbol) =>
    s.name.startsWith('go:itab.') || s.name.endsWith('.files') || (data !== undefined && edata !== undefined && s.address! >= data && s.address! < edata)
  const found: Array<{ symbol: string; target: number }> = []
  for (const symbol of symbols) {
    if (!/^[DdRr]$/.test(symbol.kind) || symbol.address === undefined || symbol.size < size || !holdsPointers(symbol)) continue
    const at = fileAt(symbol.address, symbol.size)
    if (at === undefined) continue
    // Pointers are aligned: a word at an odd offset of the symbol is part of something else.
    const first = (size - (symbol.address % size)) % size
    for (let i = first; i + size <= symbol.size; i += size) {
      const target = word(at + i)
      if (wanted(target)) found.push({ symbol: symbol.name, target })
    }
  }
  return found
}
