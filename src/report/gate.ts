import type { Budget } from '../settings/index.js'

// The gate: each platform's size judged against the budget the inputs give (settings/budget.ts). Pure.

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
