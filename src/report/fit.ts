/** GitHub's limits, in UTF-8 bytes, with room for the comment's marker: a comment body, a step summary, one output. */
export const LIMITS = { comment: 60_000, summary: 1_000_000, output: 100_000 }

const LEFT_OUT = "left out here to keep the report under GitHub's size limit; the report-json output and the job log have it"

interface Section {
  /** Shown open (the size history's chart): it goes before the collapsed ones. */
  open: boolean
  start: number
  end: number
  summary: string
  body: string
}

/** The collapsed sections, nested ones too (the main module's packages sit inside a platform's section), in order. */
function sections(text: string): Section[] {
  const open: Array<{ open: boolean; start: number; summary: string; bodyStart: number }> = []
  const found: Section[] = []
  for (const tag of text.matchAll(/<details( open)?><summary>([^<]*)<\/summary>|<\/details>/g)) {
    if (tag[0] !== '</details>') {
      open.push({ open: tag[1] !== undefined, start: tag.index, summary: tag[2], bodyStart: tag.index + tag[0].length })
      continue
    }
    const section = open.pop()
    if (section) found.push({ ...section, end: tag.index + tag[0].length, body: text.slice(section.bodyStart, tag.index) })
  }
  return found.sort((a, b) => a.start - b.start)
}

const LEFT_OUT_BODY = `\n\n(${LEFT_OUT})\n\n`

/**
 * The report within `maxBytes`: the sections go first, the open ones (the size history's chart) before the collapsed
 * ones, from the last (a nested one before the section around it), each replaced by a line saying so; then the end of
 * the text. The headline, the failures and the
 * verdict come first in the report and stay.
 */
export function fitMarkdown(markdown: string, maxBytes: number): string {
  const size = (text: string) => Buffer.byteLength(text, 'utf8')
  let fitted = markdown
  while (size(fitted) > maxBytes) {
    const left = sections(fitted).filter(s => s.body !== LEFT_OUT_BODY)
    const last = left.filter(s => s.open).at(-1) ?? left.at(-1)
    if (!last) break
    fitted = `${fitted.slice(0, last.start)}<details><summary>${last.summary}</summary>${LEFT_OUT_BODY}</details>${fitted.slice(last.end)}`
  }
  if (size(fitted) <= maxBytes) return fitted
  const note = `\n\n… (the rest is ${LEFT_OUT})\n`
  let cut = Buffer.from(fitted, 'utf8')
    .subarray(0, maxBytes - size(note))
    .toString('utf8')
  // A cut character comes out as U+FFFD: dropped, with the partial last line.
  cut = cut.replace(/\uFFFD$/, '')
  return cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0)) + note
}
