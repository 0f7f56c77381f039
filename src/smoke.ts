import { execute, type Plan } from './runner.js'

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
