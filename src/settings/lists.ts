/** Input list parsing shared by settings: the formats docker/metadata-action and build-push-action use. */
import { shown } from './values.js'

/** Newline list; with `commas`, commas separate items too. Blank lines and `#` comments are dropped. */
export function parseList(text: string, { commas }: { commas: boolean }): string[] {
  return text
    .split(/\r?\n/)
    .flatMap(line => (commas ? line.split(',') : [line]))
    .map(item => item.trim())
    .filter(item => item !== '' && !item.startsWith('#'))
}

/**
 * Splits a flag string into argv the way the go command splits -ldflags and GOFLAGS (cmd/internal/quoted):
 * fields separated by white space, a field may be quoted whole with ' or ". No shell is involved, so `$(…)`,
 * `;` and backquotes stay literal text.
 */
export function splitFields(text: string, input = 'the value'): string[] {
  const fields: string[] = []
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++
      continue
    }
    const quote = text[i]
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote, i + 1)
      if (end < 0) throw new Error(`${input} has an unterminated ${quote} quote in "${shown(text)}": close it or remove it`)
      fields.push(text.slice(i + 1, end))
      i = end + 1
      if (i < text.length && !/\s/.test(text[i])) throw new Error(`${input}: a quoted field must be followed by a space in "${shown(text)}"`)
      continue
    }
    let end = i
    while (end < text.length && !/\s/.test(text[end])) end++
    fields.push(text.slice(i, end))
    i = end
  }
  return fields
}

/** Quotes one field so that splitFields (and the go command) reads it back unchanged. */
export function quoteField(field: string): string {
  if (field !== '' && !/[\s'"]/.test(field)) return field
  if (!field.includes("'")) return `'${field}'`
  if (!field.includes('"')) return `"${field}"`
  throw new Error(`cannot pass a value holding both ' and " to the Go linker: ${field}`)
}
