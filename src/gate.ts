/** Size budgets: parsing the inputs and judging a build against them. Pure. */

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
  if (!match) throw new Error(`${name} "${text}" is not a size like 8MB, 5MiB or 123456 (bytes)`)
  return Math.round(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()])
}

export function parseIncrease(text: string, name: string): Increase {
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim())
  if (percent) return { percent: Number(percent[1]) }
  try {
    return { bytes: parseSize(text, name) }
  } catch {
    throw new Error(`${name} "${text}" is neither a percentage like 5% nor a size like 100KB, 1MiB or 123456 (bytes)`)
  }
}

export interface Budget {
  maxSize?: number
  maxIncrease?: Increase
}

export interface PlatformSizes {
  platform: string
  wire: number
  /** Undefined when the baseline has no figure for this platform. */
  baseWire?: number
}

export type GateResult = 'pass' | 'fail' | 'skipped'

export interface GateOutcome {
  result: GateResult
  /** One line per broken budget, naming the platform, the figures and the limit. */
  failures: string[]
  /** Why a budget could not be judged (no baseline). */
  skipped: string[]
  checked: number
}

export function percentChange(value: number, base: number): number {
  return base === 0 ? 0 : ((value - base) / base) * 100
}

export function judge(sizes: PlatformSizes[], budget: Budget, describe: (bytes: number) => string): GateOutcome {
  const failures: string[] = []
  const skipped: string[] = []
  let checked = 0
  const figure = (bytes: number) => `${describe(bytes)} (${bytes} bytes)`
  for (const size of sizes) {
    if (budget.maxSize !== undefined) {
      checked++
      if (size.wire > budget.maxSize) failures.push(`${size.platform}: the image is ${figure(size.wire)} on the wire, over max-size ${figure(budget.maxSize)}`)
    }
    const increase = budget.maxIncrease
    if (!increase) continue
    if (size.baseWire === undefined) {
      skipped.push(`${size.platform}: max-increase not checked, there is no baseline`)
      continue
    }
    checked++
    const delta = size.wire - size.baseWire
    if ('bytes' in increase && delta > increase.bytes) {
      failures.push(
        `${size.platform}: the image grew by ${figure(delta)} (${figure(size.baseWire)} → ${figure(size.wire)}), over max-increase ${figure(increase.bytes)}`
      )
    }
    if ('percent' in increase && percentChange(size.wire, size.baseWire) > increase.percent) {
      failures.push(
        `${size.platform}: the image grew by ${percentChange(size.wire, size.baseWire).toFixed(2)}% (${figure(size.baseWire)} → ${figure(size.wire)}), over max-increase ${increase.percent}%`
      )
    }
  }
  return { result: failures.length > 0 ? 'fail' : checked > 0 ? 'pass' : 'skipped', failures, skipped, checked }
}
