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

/** The specs of every top-level `var` (or `const`) declaration, each as its tokens (a block's specs one by one). */
function topSpecs(tokens: Token[], keyword: 'var' | 'const' = 'var'): Token[][] {
  const specs: Token[][] = []
  let depth = 0
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    if (OPEN.has(token.text)) depth++
    else if (CLOSE.has(token.text)) depth--
    if (depth !== 0 || token.kind !== 'ident' || token.text !== keyword) continue
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
  /** Package-level constants, which -X cannot set. */
  constants: string[]
  /**
   * Variables the program sets when it starts, over what -X gave them: a value computed by a call, or an assignment
   * in func init not guarded by a test of the variable itself (`if version == "" {…}` keeps what -X gave).
   */
  startup: Array<{ name: string; how: 'initializer' | 'init' }>
}

/** The leading names of a spec: `a, b, c` of `a, b, c T = …`. */
function specNames(left: Token[]): string[] {
  if (left[0]?.kind !== 'ident') return []
  let count = 1
  while (left[2 * count - 1]?.text === ',' && left[2 * count]?.kind === 'ident') count++
  return left
    .slice(0, 2 * count - 1)
    .filter((_, i) => i % 2 === 0)
    .map(t => t.text)
}

// A value computed when the program starts: a call (a conversion `string("…")` is a constant, and is left out).
const computed = (value: Token[]) => value.some((t, i) => t.text === '(' && value[i - 1]?.kind === 'ident' && value[i - 1].text !== 'string')

/** The package-level variables of one Go file that may hold a string, its constants, and what it sets at start-up. */
export function stringVariables(source: string): Variables {
  const tokens = tokenize(source)
  const found: Variables = {
    strings: [],
    untyped: [],
    constants: topSpecs(tokens, 'const').flatMap(spec => specNames(spec)),
    startup: initAssignments(tokens).map(name => ({ name, how: 'init' as const }))
  }
  for (const spec of topSpecs(tokens)) {
    const equals = spec.findIndex(t => t.text === '=')
    const left = equals < 0 ? spec : spec.slice(0, equals)
    // `a, b, c T`: names at even places, each but the last followed by a comma; what follows them is the type.
    const names = specNames(left)
    if (names.length === 0) continue
    const type = left.slice(2 * names.length - 1).map(t => t.text)
    const values = equals < 0 ? [] : splitTopLevel(spec.slice(equals + 1))
    names.forEach((name, index) => {
      if (name === '_') return
      if (values.length === names.length && computed(values[index])) found.startup.push({ name, how: 'initializer' })
      if (type.length > 0) {
        if (type.length === 1 && type[0] === 'string') found.strings.push(name)
      } else if (values.length === names.length && values[index].every(t => t.kind === 'string' || t.text === '+')) found.strings.push(name)
      else if (values.length > 0) found.untyped.push(name)
    })
  }
  return found
}

// Tokens before `=` that make it part of another operator (`==`, `:=`, `!=`, `<=`, `>=`, `+=`, …): not a plain assignment.
const OPERATOR_START = new Set([':', '=', '!', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^'])

/**
 * The package-level names assigned in the file's `func init` bodies (`Version = …`, `Version, Commit = …`), but for
 * assignments inside a block whose header tests the name itself: that keeps a value -X gave.
 */
function initAssignments(tokens: Token[]): string[] {
  const names = new Set<string>()
  for (let i = 0; i < tokens.length; i++) {
    const isInit = tokens[i].text === 'func' && tokens[i + 1]?.text === 'init' && tokens[i + 2]?.text === '(' && tokens[i + 3]?.text === ')'
    if (!isInit || tokens[i + 4]?.text !== '{' || (i > 0 && tokens[i - 1].kind !== 'newline' && tokens[i - 1].text !== ';')) continue
    i = readInitBody(tokens, i + 5, names)
  }
  return [...names]
}

// Keywords a header's short declaration follows (`for _, v :=`, `} else if v, ok :=`).
const HEADER_KEYWORDS = new Set(['for', 'if', 'switch', 'select', 'else'])

/** The names a statement's `:=` at `at` declares. */
function shortDeclared(tokens: Token[], statement: number, at: number): string[] {
  let from = statement
  while (HEADER_KEYWORDS.has(tokens[from]?.text) && from < at) from++
  return specNames(tokens.slice(from, at - 1))
}

/**
 * Reads a func init body from its first token to its `}`, adding the package-level names it assigns; returns where it
 * ends. A local of the same name (`v :=`, `var v`) takes the assignments in its block.
 */
function readInitBody(tokens: Token[], start: number, names: Set<string>): number {
  // The headers of the blocks the reader is in (`if v == "" `), and where the current statement began.
  const headers: Token[][] = []
  // The locals of each block; the current statement's go to its block once it ends, and to a block it opens.
  const scopes: Array<Set<string>> = [new Set()]
  let declared = new Set<string>()
  const local = (name: string) => declared.has(name) || scopes.some(scope => scope.has(name))
  let statement = start
  for (let i = start; i < tokens.length; i++) {
    const token = tokens[i]
    if (token.text === '{') {
      headers.push(tokens.slice(statement, i))
      // A header's locals are its block's; a composite literal's `{` (`[]string{…}`) must not drop them.
      scopes.push(new Set(declared))
      statement = i + 1
    } else if (token.text === '}') {
      if (headers.length === 0) return i
      headers.pop()
      scopes.pop()
      statement = i + 1
    } else if (token.kind === 'newline' || token.text === ';') {
      for (const name of declared) scopes.at(-1)!.add(name)
      declared = new Set()
      statement = i + 1
    } else if (token.text === 'var' && i === statement) specNames(tokens.slice(i + 1, i + 64)).forEach(name => declared.add(name))
    else if (token.text === '=' && tokens[i - 1]?.text === ':') shortDeclared(tokens, statement, i).forEach(name => declared.add(name))
    else if (token.text === '=' && !OPERATOR_START.has(tokens[i - 1]?.text ?? '') && tokens[i + 1]?.text !== '=') {
      const left = tokens.slice(statement, i)
      // Only plain names (`a, b =`): `s.field =` and `m[k] =` assign no package-level variable of their own.
      if (left.length !== 2 * specNames(left).length - 1) continue
      for (const name of specNames(left)) {
        if (!local(name) && !headers.some(header => header.some(t => t.text === name))) names.add(name)
      }
    }
  }
  return tokens.length
}
