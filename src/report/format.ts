import { filesize } from 'filesize'
import { link } from './md.js'

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
export function linkedCommit(sha: string, url: string | undefined): string {
  const short = /^[0-9a-f]+$/.test(sha) ? `\`${sha.slice(0, 12)}\`` : '`?`'
  return link(short, url)
}
