import { spawnSync } from 'node:child_process'
import { toolEnded, toolStarted } from './runner.js'

/**
 * Median wall time of starting the binary with `args` and waiting for it to exit: what UPX's unpacking
 * costs at every container start. Measured directly, not through docker, so only the binary is timed.
 */
export function medianStartupMs(file: string, args: string[], runs = 5, timeoutMs = 10000): number | undefined {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    toolStarted()
    const started = performance.now()
    const result = spawnSync(file, args, { timeout: timeoutMs, stdio: 'ignore' })
    const ms = performance.now() - started
    toolEnded()
    if (result.status !== 0) return undefined
    times.push(ms)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}
