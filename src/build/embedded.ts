import { symbolPackage } from './buildinfo.js'
import { elfReader, fileOffsets, type Load } from './elf.js'
import type { GoSymbol } from './symbols.js'

/**
 * Data that //go:embed (a file, an embed.FS tree) or a large literal puts in the binary lies where no symbol sizes
 * it (among go:string.*), so the split by package would leave it in the unexplained share. The variables that hold
 * it are in the symbol table, and their headers point at it: that is how it is found and counted for their package.
 */
export interface EmbeddedData {
  /** The variable that holds it (`example.com/app/web.Assets`). */
  variable: string
  bytes: number
  /** The data is a sized symbol of the variable's own package (`pkg..gobytes.1`, an embedded []byte): counted already. */
  sized: boolean
}

// Shorter literals are names and messages, not data worth a line; an embed.FS file counts whatever its size.
export const EMBEDDED_MIN = 1024
// embed.FS holds *[]file, and file is {name string; data string; hash [16]byte} (the embed package's own layout).
const FILE_WORDS = 4
const FILE_HASH = 16
const MAX_FILES = 1_000_000

interface Piece {
  at: number
  bytes: number
}

/** The file's words at virtual addresses, in its own class and byte order; undefined where the file has no bytes. */
function wordReader(buf: Buffer, loads: Load[]) {
  const { is64, word } = elfReader(buf)
  const size = is64 ? 8 : 4
  const offsetOf = fileOffsets(loads)
  const words = (vaddr: number, count: number): number[] | undefined => {
    const at = offsetOf(vaddr, count * size)
    return at === undefined ? undefined : Array.from({ length: count }, (_, i) => word(at + i * size))
  }
  return { size, words, inFile: (vaddr: number, length: number) => offsetOf(vaddr, length) !== undefined }
}

/**
 * The sized symbol that holds each address, found in one pass over the symbols (a few pieces among tens of
 * thousands of symbols: cheaper than sorting them); a symbol that starts at the address wins over one around it.
 */
function owners(symbols: GoSymbol[], addresses: number[]): Map<number, GoSymbol> {
  const sorted = [...new Set(addresses)].sort((a, b) => a - b)
  const found = new Map<number, GoSymbol>()
  for (const symbol of symbols) {
    if (symbol.address === undefined || symbol.size === 0) continue
    const end = symbol.address + symbol.size
    let low = 0
    let high = sorted.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (sorted[middle] < symbol.address) low = middle + 1
      else high = middle
    }
    for (let i = low; i < sorted.length && sorted[i] < end; i++) {
      if (!found.has(sorted[i]) || symbol.address === sorted[i]) found.set(sorted[i], symbol)
    }
  }
  return found
}

/** What a package-level variable points at: a string's or a slice's data, or every file of an embed.FS. */
function piecesOf(symbol: GoSymbol, reader: ReturnType<typeof wordReader>, names: Set<string>): Piece[] {
  const { size, words } = reader
  if (symbol.size === 2 * size || symbol.size === 3 * size) {
    const [at, bytes] = words(symbol.address!, 2) ?? [0, 0]
    return bytes >= EMBEDDED_MIN ? [{ at, bytes }] : []
  }
  if (symbol.size !== size || !names.has(`${symbol.name}.files`)) return []
  const [list] = words(symbol.address!, 1) ?? [0]
  const [array, count] = words(list, 2) ?? [0, 0]
  if (count > MAX_FILES) return []
  const stride = FILE_WORDS * size + FILE_HASH
  return Array.from({ length: count }, (_, i) => words(array + i * stride, FILE_WORDS))
    .filter((file): file is number[] => file !== undefined && file[3] > 0)
    .map(file => ({ at: file[2], bytes: file[3] }))
}

/** The embedded data of every package-level variable, each piece counted once (two variables may share a literal). */
export function embeddedData(buf: Buffer, symbols: GoSymbol[], loads: Load[]): EmbeddedData[] {
  const reader = wordReader(buf, loads)
  const headers = new Set([1, 2, 3].map(words => words * reader.size))
  // One pass over tens of thousands of symbols: the embed.FS lists, and the variables the size of a header.
  const files = new Set<string>()
  const variables: GoSymbol[] = []
  for (const symbol of symbols) {
    if (symbol.name.endsWith('.files')) files.add(symbol.name)
    else if (headers.has(symbol.size) && (symbol.kind === 'D' || symbol.kind === 'd') && symbol.address !== undefined) variables.push(symbol)
  }
  const holders: Array<{ variable: string; pkg: string; pieces: Piece[] }> = []
  for (const symbol of variables) {
    const pieces = piecesOf(symbol, reader, files).filter(p => p.at !== 0 && reader.inFile(p.at, p.bytes))
    const pkg = pieces.length > 0 ? symbolPackage(symbol.name) : undefined
    // The runtime's own strings (its module info) are no data of the program's.
    if (pkg !== undefined && pkg !== 'runtime') holders.push({ variable: symbol.name, pkg, pieces })
  }
  const ownerOf = owners(
    symbols,
    holders.flatMap(h => h.pieces.map(p => p.at))
  )
  const seen = new Set<number>()
  return holders.flatMap(({ variable, pkg, pieces }) => {
    let [unsized, sized] = [0, 0]
    for (const piece of pieces) {
      const owner = ownerOf.get(piece.at)
      // Inside another symbol: that symbol's bytes, counted where it belongs (unless it is this package's own copy).
      if (seen.has(piece.at) || (owner && !(owner.address === piece.at && piece.bytes <= owner.size && symbolPackage(owner.name) === pkg))) continue
      seen.add(piece.at)
      if (owner) sized += piece.bytes
      else unsized += piece.bytes
    }
    return [...(unsized > 0 ? [{ variable, bytes: unsized, sized: false }] : []), ...(sized > 0 ? [{ variable, bytes: sized, sized: true }] : [])]
  })
}
