import { parseBuildInfo, type BuildInfo } from './buildinfo.js'
import { elfReader } from './elf.js'
import type { GoSymbol } from './symbols.js'

/**
 * What a Go ELF binary says about itself, read in-process: its symbol table (as `go tool nm -size` lists it) and
 * its build info (as `go version -m` prints it). Reading the bytes already in memory costs milliseconds; starting
 * the go command twice per binary cost a tenth of a second each (docs/benchmarks.md).
 */

interface Section {
  name: string
  type: number
  flags: number
  offset: number
  size: number
  link: number
}

const SHT_SYMTAB = 2
const SHF_WRITE = 0x1
const SHF_ALLOC = 0x2
const SHF_EXECINSTR = 0x4
const STB_LOCAL = 0
const STT_FILE = 4

function elfSections(buf: Buffer): Section[] {
  const { is64, u16, u32, word, cString } = elfReader(buf)
  const shoff = word(is64 ? 40 : 32)
  const shentsize = u16(is64 ? 58 : 46)
  const shnum = u16(is64 ? 60 : 48)
  const shstrndx = u16(is64 ? 62 : 50)
  if (shoff === 0 || shoff + shnum * shentsize > buf.length) throw new Error('no ELF section headers')
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize
    return is64
      ? { nameAt: u32(at), type: u32(at + 4), flags: word(at + 8), offset: word(at + 24), size: word(at + 32), link: u32(at + 40) }
      : { nameAt: u32(at), type: u32(at + 4), flags: u32(at + 8), offset: u32(at + 16), size: u32(at + 20), link: u32(at + 24) }
  })
  const names = raw[shstrndx]
  return raw.map(({ nameAt, ...s }) => ({ ...s, name: names ? cString(names.offset + nameAt) : '' }))
}

/** nm's letter for a symbol in `section`: T code, R read-only, D data (bss included, as go tool nm says). */
function kindOf(section: Section | undefined, local: boolean): string {
  let kind = 'U'
  if (section) {
    const flags = section.flags & (SHF_WRITE | SHF_ALLOC | SHF_EXECINSTR)
    kind = flags === (SHF_ALLOC | SHF_EXECINSTR) ? 'T' : flags === SHF_ALLOC ? 'R' : flags === (SHF_ALLOC | SHF_WRITE) ? 'D' : '?'
  }
  return local && kind !== 'U' ? kind.toLowerCase() : kind
}

/** The symbol table (.symtab), as `go tool nm -size` lists it; empty for a stripped binary. */
export function elfSymbols(buf: Buffer): GoSymbol[] {
  const { is64, u16, u32, word, cString } = elfReader(buf)
  const sections = elfSections(buf)
  const symtab = sections.find(s => s.type === SHT_SYMTAB)
  if (!symtab) return []
  const strtab = sections[symtab.link]
  const entry = is64 ? 24 : 16
  const symbols: GoSymbol[] = []
  // Entry 0 is the null symbol.
  for (let at = symtab.offset + entry; at + entry <= symtab.offset + symtab.size; at += entry) {
    const info = buf[at + (is64 ? 4 : 12)]
    // nm lists no source-file symbols (STT_FILE).
    if ((info & 0xf) === STT_FILE) continue
    const shndx = u16(at + (is64 ? 6 : 14))
    const value = word(at + (is64 ? 8 : 4))
    const size = is64 ? word(at + 16) : u32(at + 8)
    const name = cString(strtab.offset + u32(at))
    const section = shndx > 0 && shndx < sections.length ? sections[shndx] : undefined
    const kind = kindOf(section, info >> 4 === STB_LOCAL)
    symbols.push(kind === 'U' ? { name, size, kind } : { name, size, kind, address: value })
  }
  return symbols
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')
const FLAG_INLINE = 0x2

function uvarint(buf: Buffer, at: number): [number, number] {
  let value = 0
  let shift = 0
  for (let i = at; i < buf.length; i++) {
    value += (buf[i] & 0x7f) * 2 ** shift
    if ((buf[i] & 0x80) === 0) return [value, i + 1]
    shift += 7
  }
  throw new Error('truncated build info')
}

/**
 * The build info every Go binary carries in .go.buildinfo (stripping keeps it): since Go 1.18 two inline
 * strings, the Go version and the module information framed by 16-byte sentinels.
 */
export function buildInfoStrings(buf: Buffer): { goVersion: string; modules: string } {
  const section = elfSections(buf).find(s => s.name === '.go.buildinfo')
  if (!section) throw new Error('no .go.buildinfo section: not a Go binary, or packed (UPX hides it)')
  const at = section.offset
  if (!buf.subarray(at, at + MAGIC.length).equals(MAGIC)) throw new Error('.go.buildinfo has no build info header')
  if ((buf[at + 15] & FLAG_INLINE) === 0) throw new Error('build info from before Go 1.18 is not read')
  const [versionLength, next] = uvarint(buf, at + 32)
  const [modLength, modStart] = uvarint(buf, next + versionLength)
  return {
    goVersion: buf.toString('utf8', next, next + versionLength),
    // The sentinels are not UTF-8: cut them off as bytes.
    modules: modLength > 32 ? buf.toString('utf8', modStart + 16, modStart + modLength - 16) : ''
  }
}

/** The module information, as `go version -m` prints it. */
export function elfBuildInfo(buf: Buffer): BuildInfo {
  return parseBuildInfo(buildInfoStrings(buf).modules)
}

/** The Go release that built the binary (`go1.26.8`): the toolchain that really ran, after any GOTOOLCHAIN switch. */
export function elfGoVersion(buf: Buffer): string {
  return buildInfoStrings(buf).goVersion
}
