import { execute, type Outcome, type Plan } from './runner.js'

export function smokePlan(reference: string, platform: string, args: string[], name: string): Plan {
  // No --user: the image's own USER is what production runs as.
  return { program: 'docker', args: ['run', '--rm', '--name', name, '--platform', platform, reference, ...args] }
}

/** Runs the image once with the smoke-test arguments; it must exit 0 before the timeout. */
export async function smokeTest(reference: string, platform: string, args: string[], timeoutSeconds: number): Promise<Outcome> {
  const name = `go-slim-image-smoke-${process.pid}-${Date.now()}`
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void execute({ program: 'docker', args: ['kill', name] }, { allowFailure: true, quiet: true })
  }, timeoutSeconds * 1000)
  try {
    const outcome = await execute(smokePlan(reference, platform, args, name), { allowFailure: true })
    if (timedOut) throw new Error(`smoke test: ${reference} ${args.join(' ')} did not exit within ${timeoutSeconds}s (smoke-test-timeout)`)
    if (outcome.code !== 0) {
      throw new Error(`smoke test: ${reference} ${args.join(' ')} exited with ${outcome.code}:\n${(outcome.stdout + outcome.stderr).trim()}`)
    }
    return outcome
  } finally {
    clearTimeout(timer)
  }
}
