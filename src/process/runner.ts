import * as core from '@actions/core'
import * as io from '@actions/io'
import { spawn, type ChildProcess } from 'node:child_process'
import { constants as osConstants } from 'node:os'
import { info, ToolLog } from './log.js'

/** One external command as data: what a stage wants run. Unit tests check these; `execute` runs them. */
export interface Plan {
  program: string
  args: string[]
  /** Added to (not replacing) the runner's environment, which reaches the tool without the job's tokens. */
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
  /** Keep the tool's output out of the log (it is still captured); 'output' still logs the command. */
  quiet?: boolean | 'output'
  /** Ends the tool and everything it started (a timeout). */
  signal?: AbortSignal
  /** Keeps at most this many bytes of each stream: its head and its tail, with the count of bytes dropped between. */
  keepBytes?: number
  /** A clean-up's own tool (removing a container): it still starts once the run is ending. */
  cleanup?: boolean
}

export class CommandError extends Error {
  constructor(
    readonly plan: Plan,
    readonly outcome: Outcome
  ) {
    super(`${describe(plan)} failed with exit code ${outcome.code}${tail(outcome.stderr || outcome.stdout)}`)
  }
}

/**
 * The plan at the lowest CPU priority (`nice -n 19`, from coreutils): it runs on cores the rest of the run leaves
 * idle and never slows that down.
 */
export function lowPriority(plan: Plan): Plan {
  return { ...plan, program: 'nice', args: ['-n', '19', plan.program, ...plan.args] }
}

let niceOnPath: Promise<boolean> | undefined

/** `lowPriority(plan)` where nice is on PATH (coreutils has it); a runner without it runs the plan as it is. */
export async function inBackground(plan: Plan): Promise<Plan> {
  niceOnPath ??= io.which('nice', false).then(Boolean)
  return (await niceOnPath) ? lowPriority(plan) : plan
}

/** A promise awaited later: a rejection meanwhile is the awaiter's to handle, not an unhandled one that ends the process. */
export function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
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

// Every tool running now: an interrupted run ends them instead of leaving them behind (a UPX of minutes).
const children = new Set<ChildProcess>()

/**
 * Ends the tool and every process it started: each tool leads a process group of its own, so the compilers go
 * build starts go with it instead of running on under PID 1.
 */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  } catch {
    // The group has ended already.
  }
}

/**
 * Set once the run is ending: from then on no tool starts but a clean-up's. A stage whose tool was killed may go on to
 * its next tool (the base's twin link after its first), which would write into the folder the clean-up is removing.
 */
let ending = false

/** Ends every tool still running, and starts no other (on SIGTERM or SIGINT, or a failure that ends the run). */
export function killChildren(): void {
  ending = true
  for (const child of children) killGroup(child)
}

/** A tool asked for once the run is ending: not started, answered as a killed one is. */
const NOT_STARTED = { code: 128 + osConstants.signals.SIGKILL, stdout: '', stderr: 'not started: the run is ending' }

/** Runs the program with argv, never a shell; its output is collected, and streamed to the log unless quiet. */
function spawnCollect(plan: Plan, env: NodeJS.ProcessEnv, options: ExecuteOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    const child = spawn(plan.program, plan.args, { cwd: plan.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    children.add(child)
    const abort = () => killGroup(child)
    options.signal?.addEventListener('abort', abort, { once: true })
    if (options.signal?.aborted) abort()
    const stdout = new Kept(options.keepBytes)
    const stderr = new Kept(options.keepBytes)
    // What a tool prints is outside text: it reaches the log through the guarded channel only.
    const log = options.quiet ? undefined : new ToolLog()
    child.stdout.on('data', (data: Buffer) => {
      stdout.add(data)
      log?.add('out', data)
    })
    child.stderr.on('data', (data: Buffer) => {
      stderr.add(data)
      log?.add('err', data)
    })
    let settled = false
    // A program that cannot start answers like a shell would: exit code 127 and why on stderr.
    child.on('error', error => {
      log?.end()
      children.delete(child)
      options.signal?.removeEventListener('abort', abort)
      if (!settled) resolve({ code: 127, stdout: '', stderr: `${plan.program} could not be started: ${error.message}` })
      settled = true
    })
    child.on('close', (code, signal) => {
      log?.end()
      children.delete(child)
      options.signal?.removeEventListener('abort', abort)
      if (settled) return
      settled = true
      resolve({ code: code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : -1), stdout: stdout.text(), stderr: stderr.text() })
    })
  })
}

/** A stream's bytes, or with a limit its first and last half of them and how many were dropped between. */
export class Kept {
  private readonly head: Buffer[] = []
  private headBytes = 0
  private tail = Buffer.alloc(0)
  private dropped = 0

  constructor(private readonly limit = Infinity) {}

  add(data: Buffer): void {
    const room = Math.ceil(this.limit / 2) - this.headBytes
    if (room > 0) {
      this.head.push(data.subarray(0, room))
      this.headBytes += Math.min(room, data.length)
      data = data.subarray(room)
    }
    if (data.length === 0) return
    // Only past the head, so only with a limit: the tail stays at most half of it.
    const keep = Math.floor(this.limit / 2)
    this.tail = Buffer.concat([this.tail, data])
    if (this.tail.length > keep) {
      this.dropped += this.tail.length - keep
      this.tail = this.tail.subarray(this.tail.length - keep)
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8')
    const tail = this.tail.toString('utf8')
    return this.dropped > 0 ? `${head}\n… (${this.dropped} bytes dropped) …\n${tail}` : head + tail
  }
}

// The job's tokens: the action's inputs (the GitHub token among them), the runner's own tokens for its services
// (the cache, OIDC), and the token a workflow hands its steps. No tool needs them; a tool that runs the pull
// request's code (a -toolexec program, a cgo toolchain) must not get them.
const JOB_TOKEN = /^(?:INPUT_.*|ACTIONS_.*TOKEN.*|GITHUB_TOKEN)$/i

/** The environment a tool runs in: the runner's, without the job's tokens, with what its plan adds. */
export function toolEnvironment(env: NodeJS.ProcessEnv, added: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(env).filter(([key]) => !JOB_TOKEN.test(key))), ...added }
}

/** Runs a plan with argv (never a shell) and times it. */
export async function execute(plan: Plan, options: ExecuteOptions = {}): Promise<Outcome> {
  const started = performance.now()
  const env = toolEnvironment(process.env, plan.env)
  const starts = !ending || options.cleanup === true
  if (options.quiet !== true && starts) info(`$ ${describe(plan)}`)
  if (starts) toolStarted()
  const result = starts ? await spawnCollect(plan, env, options).finally(toolEnded) : NOT_STARTED
  const outcome = { code: result.code, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started }
  core.debug(`${plan.program} ${plan.args[0] ?? ''}: exit ${outcome.code} after ${Math.round(outcome.ms)} ms`)
  if (outcome.code !== 0 && !options.allowFailure) throw new CommandError(plan, outcome)
  return outcome
}
