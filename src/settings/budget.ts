import { shown } from './values.js'
/** Size budgets as the inputs give them; report/gate.ts judges a build against them. Pure. */

export type Increase = { bytes: number } | { percent: number }

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3
}

/** `8MB` is 8,000,000 bytes and `5MiB` 5×2²⁰, as registries and `ls -h` respectively count. */
export function parseSize(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?$/i.exec(text.trim())
  if (!match) throw new Error(`${name} "${shown(text)}" is not a size like 8MB, 5MiB or 123456 (bytes)`)
  return Math.round(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()])
}

export function parseIncrease(text: string, name: string): Increase {
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim())
  if (percent) return { percent: Number(percent[1]) }
  try {
    return { bytes: parseSize(text, name) }
  } catch {
    throw new Error(`${name} "${shown(text)}" is neither a percentage like 5% nor a size like 100KB, 1MiB or 123456 (bytes)`)
  }
}

export interface Budget {
  maxSize?: number
  maxIncrease?: Increase
}
