import type { GoSymbol } from '../../src/build/symbols.js'

/** Reads symbol tables recorded from `go tool nm -size` (address size kind name), the form fixtures are kept in. */
export function parseNm(text: string): GoSymbol[] {
  const symbols: GoSymbol[] = []
  for (const line of text.split('\n')) {
    const match = /^\s*(?:([0-9a-f]+)\s+)?(\d+)\s+([A-Za-z])\s+(.+)$/.exec(line)
    if (match) symbols.push({ size: Number(match[2]), kind: match[3], name: match[4].trim(), ...(match[1] ? { address: parseInt(match[1], 16) } : {}) })
  }
  return symbols
}
