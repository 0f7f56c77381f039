import { loadLayout } from './load.js'
import type { Phase } from './phase.js'
import { hostPlatform } from './platform.js'
import { execute, type Plan } from './runner.js'
import type { Settings } from './settings.js'
import { medianStartupMs } from './startup.js'
import type { Target } from './target.js'
import { warn } from './warnings.js'

export function smokePlan(reference: string, platform: string, args: string[], name: string): Plan {
  // No --user: the image's own USER is what production runs as. No network: a smoke test needs none, and the
  // engine's bridge may not exist.
  return { program: 'docker', args: ['run', '--rm', '--network', 'none', '--name', name, '--platform', platform, reference, ...args] }
}

export interface SmokeResult {
  args: string[]
  stdout: string
  stderr: string
  /** Why the smoke test failed; absent when it exited 0 in time. */
  error?: string
}

/** Runs the image once with the smoke-test arguments; it must exit 0 before the timeout. */
export async function smokeTest(reference: string, platform: string, args: string[], timeoutSeconds: number): Promise<SmokeResult> {
  const name = `go-slim-image-smoke-${process.pid}-${Date.now()}`
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void execute({ program: 'docker', args: ['kill', name] }, { allowFailure: true, quiet: true })
  }, timeoutSeconds * 1000)
  try {
    const outcome = await execute(smokePlan(reference, platform, args, name), { allowFailure: true })
    const result = { args, stdout: outcome.stdout, stderr: outcome.stderr }
    const command = [reference, ...args].join(' ')
    if (timedOut) return { ...result, error: `smoke test: ${command} did not exit within ${timeoutSeconds}s (smoke-test-timeout)` }
    if (outcome.code !== 0) return { ...result, error: `smoke test: ${command} exited with ${outcome.code}:\n${(outcome.stdout + outcome.stderr).trim()}` }
    return result
  } finally {
    clearTimeout(timer)
  }
}

export interface Startup {
  unpacked?: number
  packed?: number
}

/**
 * Runs the image once on the runner's own platform (loading that platform alone when the image is not in the
 * engine), then times the start-up of the plain and the packed binary when UPX packed it.
 */
export async function smokeAndStartup(settings: Settings, head: Target, loaded: boolean, workDir: string, phase: Phase) {
  const startup = new Map<string, Startup>()
  const args = settings.smokeTest
  if (!args) return { startup }
  const host = hostPlatform()
  const hostBuilt = settings.platforms.find(p => p.id === host?.id)
  if (!hostBuilt) {
    warn(`smoke test skipped: no platform in ${settings.platforms.map(p => p.id).join(', ')} runs on this ${host?.id ?? process.arch} runner without emulation`)
    return { startup }
  }
  const smoke = await phase('smoke test', async () => {
    if (!loaded) await loadLayout(head, workDir, hostBuilt.id)
    return smokeTest(head.tags[0], hostBuilt.id, args, settings.smokeTimeoutSeconds)
  })
  const hostPacked = head.packed.find(p => p.binary.platform.id === hostBuilt.id && p.packed)
  if (hostPacked && !smoke.error) {
    await phase('startup', async () => {
      startup.set(hostBuilt.id, { unpacked: medianStartupMs(hostPacked.binary.path, args), packed: medianStartupMs(hostPacked.path, args) })
    })
  }
  return { smoke, startup }
}
