// The package-level string variables of Go source, read before anything is linked: where -X can put the version is
// settled from them, so a look-alike variable never costs a second build. The twin's symbol table confirms it later.

type Token = { kind: 'ident' | 'string' | 'other' | 'newline'; text: string }

/** Go's tokens as far as declarations need them: comments dropped, literals whole, line ends kept (they end a spec). */
function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  const pattern =
    /(\/\/[^\n]*)|(\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*")|(`[^`]*`)|('(?:[^'\\\n]|\\.)*')|([\p{L}_][\p{L}\p{N}_]*)|(\n)|([ \t\r]+)|([0-9][\w.]*|.)/gu
  for (const match of source.matchAll(pattern)) {
    const [text, line, block, quoted, raw, rune, ident, newline] = match
    if (line !== undefined || (block !== undefined && !block.includes('\n'))) continue
    if (block !== undefined || newline !== undefined) tokens.push({ kind: 'newline', text: '\n' })
    else if (quoted !== undefined || raw !== undefined) tokens.push({ kind: 'string', text })
    else if (ident !== undefined) tokens.push({ kind: 'ident', text })
    else if (rune !== undefined || !/^[ \t\r]+$/.test(text)) tokens.push({ kind: 'other', text })
  }
  return tokens
}

const OPEN = new Set(['(', '[', '{'])
const CLOSE = new Set([')', ']', '}'])
// After these, a line end is the end of a statement (Go's automatic semicolons).
const ENDS_LINE = (token: Token | undefined) =>
  token !== undefined && (token.kind === 'ident' || token.kind === 'string' || CLOSE.has(token.text) || /^[0-9'.]/.test(token.text))

/** The specs of every top-level `var` declaration, each as its tokens (a block's specs one by one). */
function varSpecs(tokens: Token[]): Token[][] {
  const specs: Token[][] = []
  let depth = 0
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    if (OPEN.has(token.text)) depth++
    else if (CLOSE.has(token.text)) depth--
    if (depth !== 0 || token.kind !== 'ident' || token.text !== 'var') continue
    const grouped = tokens[i + 1]?.text === '('
    const read = readSpecs(tokens, grouped ? i + 2 : i + 1, grouped)
    specs.push(...read.specs)
    i = read.end
  }
  return specs
}

/** Specs from `start`: one (ended by a line end or `;`), or a block's (ended by its `)`). */
function readSpecs(tokens: Token[], start: number, grouped: boolean): { specs: Token[][]; end: number } {
  const specs: Token[][] = []
  let spec: Token[] = []
  let depth = 0
  let i = start
  for (; i < tokens.length; i++) {
    const token = tokens[i]
    const ends = depth === 0 && (token.text === ';' || (token.kind === 'newline' && ENDS_LINE(spec.at(-1))))
    if (ends || (grouped && depth === 0 && token.text === ')')) {
      if (spec.length > 0) specs.push(spec)
      spec = []
      if (!grouped || token.text === ')') break
      continue
    }
    if (OPEN.has(token.text)) depth++
    else if (CLOSE.has(token.text)) depth--
    if (token.kind !== 'newline') spec.push(token)
  }
  if (spec.length > 0) specs.push(spec)
  return { specs, end: i }
}

/** Splits tokens on the commas outside brackets. */
function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]]
  let depth = 0
  for (const token of tokens) {
    if (OPEN.has(token.text)) depth++
    else if (CLOSE.has(token.text)) depth--
    if (depth === 0 && token.text === ',') parts.push([])
    else parts.at(-1)!.push(token)
  }
  return parts
}

export interface Variables {
  /** Declared `string`, or given a string literal: what -X can set. */
  strings: string[]
  /** Declared without a type, from a value whose type the source alone does not say (a constant, a call). */
  untyped: string[]
}

/** The package-level variables of one Go file that may hold a string. */
export function stringVariables(source: string): Variables {
  const found: Variables = { strings: [], untyped: [] }
  for (const spec of varSpecs(tokenize(source))) {
    const equals = spec.findIndex(t => t.text === '=')
    const left = equals < 0 ? spec : spec.slice(0, equals)
    if (left[0]?.kind !== 'ident') continue
    // `a, b, c T`: names at even places, each but the last followed by a comma; what follows them is the type.
    let count = 1
    while (left[2 * count - 1]?.text === ',' && left[2 * count]?.kind === 'ident') count++
    const names = left
      .slice(0, 2 * count - 1)
      .filter((_, i) => i % 2 === 0)
      .map(t => t.text)
    const type = left.slice(2 * count - 1).map(t => t.text)
    const values = equals < 0 ? [] : splitTopLevel(spec.slice(equals + 1))
    names.forEach((name, index) => {
      if (name === '_') return
      if (type.length > 0) {
        if (type.length === 1 && type[0] === 'string') found.strings.push(name)
      } else if (values.length === names.length && values[index].every(t => t.kind === 'string' || t.text === '+')) found.strings.push(name)
      else if (values.length > 0) found.untyped.push(name)
    })
  }
  return found
}
