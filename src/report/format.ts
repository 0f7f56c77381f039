import { filesize } from 'filesize'
import { shown } from '../settings/index.js'

// Sizes, changes and commits in words, as every section writes them.

export const human = (bytes: number) => filesize(bytes, { standard: 'iec' }) as string
export const signedHuman = (bytes: number) => (bytes > 0 ? '+' : bytes < 0 ? '−' : '±') + human(Math.abs(bytes))
export const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${((part / whole) * 100).toFixed(1)}%`)
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export function change(value: number, base: number | undefined): string {
  if (base === undefined) return '–'
  const delta = value - base
  return delta === 0 ? '±0' : `${signedHuman(delta)} (${delta > 0 ? '+' : '−'}${percent(Math.abs(delta), base)})`
}

export const trend = (delta: number) => (delta > 0 ? '📈' : delta < 0 ? '📉' : '➖')

/** A commit as the report names it: 12 hex digits, linked to GitHub when the run knows its repository. */
export function linkedCommit(sha: string, link: string | undefined): string {
  const short = `\`${sha.slice(0, 12)}\``
  return link ? `[${short}](${link})` : short
}

/** A value from the user's code shown in a code span: one short line that cannot close the span. */
export const codeSafe = (text: string) => shown(text.replace(/[\p{Cc}`]/gu, ' '), 60)
