import { shown } from '../settings/index.js'

/**
 * The one Markdown writer for values from outside (module paths, versions, replacements, tags, program output,
 * messages that quote them, cache records, report files): each is placed where it can only be text. GitHub renders
 * the comment and the summary with cmark-gfm, then links @mentions, #references and bare URLs in the text it made;
 * so a value is shown in a code span (nothing in it is a link, a mention or HTML), in a fence it cannot close, as
 * prose with whatever could start markup escaped and mentions broken, or as HTML text.
 */

// Line ends and other characters that would end a line or a block in the middle of a value.
const BREAKS = /[\p{Cc}\u2028\u2029]/gu

// Placed after @ and #: GitHub's mention and reference filters then see no name after them; it shows nothing.
const WORD_BREAK = '\u200b'

/** A code span holding `value` as one line of text, cut past `max` characters; no backtick in it can close it. */
export function code(value: string, max = 200): string {
  const flat = shown(value, max).replace(BREAKS, ' ')
  if (flat.trim() === '') return '` `'
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map(run => run.length))
  const ticks = '`'.repeat(longest + 1)
  // A span that starts or ends with a backtick needs a space inside its delimiters, which the renderer strips.
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : ''
  return `${ticks}${pad}${flat}${pad}${ticks}`
}

/** A code span in a table cell: GitHub splits cells at every unescaped pipe, code spans included. */
export const codeCell = (value: string, max?: number) => code(value, max).replace(/\|/g, '\\|')

/** Lines of text in a fenced block no line of them can close; `prefix` starts every line (`> ` inside an alert). */
export function fence(text: string, prefix = ''): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/[\p{Cc}\u2028\u2029]/gu, c => (c === '\n' || c === '\t' ? c : ' '))
    .split('\n')
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map(run => run.length))
  const ticks = '`'.repeat(Math.max(3, longest + 1))
  return [`${ticks}text`, ...lines, ticks].map(line => `${prefix}${line}`).join('\n')
}

/**
 * Prose from outside (a warning, a reason): line breaks kept, and escaped whatever could start markup there: an
 * emphasis, code, a link or an image, HTML or an entity, a table cell, math, a bare URL (`://`, `www.`), a block at
 * the start of a line; mentions and references broken. What cannot (`/`, `.`, `-`, `%` within a line) stays as it is.
 */
export function prose(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\p{Cc}\u2028\u2029]/gu, c => (c === '\n' ? c : ' '))
    .replace(/[\\`*_[\]<&|~$]/g, c => `\\${c}`)
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/(www)\./gi, '$1\\.')
    .replace(/^([ \t]*)([#>+=-])/gm, '$1\\$2')
    .replace(/^([ \t]*\d+)([.)])/gm, '$1\\$2')
    .replace(/[@#]/g, c => `${c}${WORD_BREAK}`)
}

/** Text inside raw HTML (a `<summary>`): its characters as entities, mentions broken. */
export function htmlText(value: string, max = 200): string {
  return shown(value, max)
    .replace(BREAKS, ' ')
    .replace(/[@#]/g, c => `${c}${WORD_BREAK}`)
    .replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

/** A link to one of the run's own pages (checked where the URL was read); a URL that could end the link is not linked. */
export function link(text: string, url: string | undefined): string {
  return url && /^https?:\/\/[^\s()<>[\]`\\]+$/.test(url) ? `[${text}](${url})` : text
}
