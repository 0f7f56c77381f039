import * as core from '@actions/core'
import * as exec from '@actions/exec'

/** One external command as data: what a stage wants run. Unit tests check these; `execute` runs them. */
export interface Plan {
  program: string
  args: string[]
  /** Added to (not replacing) the runner's environment. */
  env?: Record<string, string>
  cwd?: string
}

export interface Outcome {
  code: number
  stdout: string
  stderr: string
  ms: number
}

export interface ExecuteOptions {
  /** Return a non-zero exit instead of throwing: the caller explains the failure better. */
  allowFailure?: boolean
  /** Keep the tool's output out of the log (it is still captured). */
  quiet?: boolean
}

export class CommandError extends Error {
  constructor(
    readonly plan: Plan,
    readonly outcome: Outcome
  ) {
    super(`${describe(plan)} failed with exit code ${outcome.code}${tail(outcome.stderr || outcome.stdout)}`)
  }
}

export function describe(plan: Plan): string {
  return [plan.program, ...plan.args].map(a => (/[\s"'$`\\]/.test(a) ? JSON.stringify(a) : a)).join(' ')
}

function tail(text: string): string {
  const lines = text.trim().split('\n').slice(-15).join('\n')
  return lines ? `:\n${lines}` : ''
}

// Wall time during which at least one tool runs: tools run side by side in preflight, so summing their
// durations would count that time twice.
let toolMs = 0
let running = 0
let busySince = 0

/** Milliseconds spent waiting on external tools so far: the rest of a run is the action's own overhead. */
export function toolTime(): number {
  return toolMs + (running > 0 ? performance.now() - busySince : 0)
}

export function toolStarted(): void {
  if (running++ === 0) busySince = performance.now()
}

export function toolEnded(): void {
  if (--running === 0) toolMs += performance.now() - busySince
}

/** Runs a plan with argv (never a shell) and times it. */
export async function execute(plan: Plan, options: ExecuteOptions = {}): Promise<Outcome> {
  const started = performance.now()
  const env = { ...(process.env as Record<string, string>), ...plan.env }
  if (!options.quiet) core.info(`$ ${describe(plan)}`)
  toolStarted()
  // @actions/exec stays silent, as its own `[command]` line would repeat ours; the tool's output is streamed here.
  const stream = options.quiet ? undefined : { stdout: (data: Buffer) => process.stdout.write(data), stderr: (data: Buffer) => process.stdout.write(data) }
  const result = await exec
    .getExecOutput(plan.program, plan.args, { cwd: plan.cwd, env, ignoreReturnCode: true, silent: true, listeners: stream })
    .finally(toolEnded)
  const outcome = { code: result.exitCode, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started }
  if (outcome.code !== 0 && !options.allowFailure) throw new CommandError(plan, outcome)
  return outcome
}
