import { done, execute, whileRunning, type Outcome, type Plan } from '../process/index.js'

/**
 * The built binary is the pull request's code: it runs only here, in a container of the engine, and never on the
 * runner. No network, no host environment (docker passes none), no mounts, no capabilities, no privilege gain,
 * bounded processes and memory; the user is the image's own USER, as in production.
 */
export const SANDBOX = ['--network', 'none', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--pids-limit', '512', '--memory', '2g']

/** Every container of a run carries its id, so the post step finds the ones a killed run left. */
export const RUN_LABEL = 'go-slim-image.run'

/** Kept of each output stream of a container: its head and its tail (the report shows far less). */
export const KEPT_OUTPUT_BYTES = 64 * 1024

// After the timeout's docker kill, how long the docker CLI gets to return before it is ended too.
const KILL_GRACE_MS = 3000

export interface ContainerSpec {
  name: string
  runId: string
  reference: string
  platform: string
  args: string[]
  /** Runs this file instead of the image's ENTRYPOINT. */
  entrypoint?: string
}

export function createPlan(spec: ContainerSpec): Plan {
  return {
    program: 'docker',
    args: [
      'create',
      '--name',
      spec.name,
      '--label',
      `${RUN_LABEL}=${spec.runId}`,
      '--platform',
      spec.platform,
      // The image the run put in the engine, or none: never one of that name pulled from a registry (Docker Hub's
      // acme/hello:0.1.0 is someone else's).
      '--pull',
      'never',
      ...SANDBOX,
      ...(spec.entrypoint ? ['--entrypoint', spec.entrypoint] : []),
      // The image ends docker's options: the arguments after it are the program's, whatever they look like.
      spec.reference,
      ...spec.args
    ]
  }
}

export const startPlan = (name: string): Plan => ({ program: 'docker', args: ['start', '--attach', name] })
export const killPlan = (name: string): Plan => ({ program: 'docker', args: ['kill', name] })
export const removePlan = (names: string[]): Plan => ({ program: 'docker', args: ['rm', '--force', ...names] })
export const copyPlan = (file: string, name: string, destination: string): Plan => ({ program: 'docker', args: ['cp', file, `${name}:${destination}`] })
export const leftoverPlan = (runId: string): Plan => ({ program: 'docker', args: ['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}=${runId}`] })

export interface RunResult {
  outcome: Outcome
  timedOut: boolean
}

/** A created container of the sandbox, started as often as asked; removed by `remove`, by a signal or by the post step. */
export class Container {
  private constructor(readonly name: string) {}

  static async create(spec: ContainerSpec, signal?: AbortSignal): Promise<Container> {
    const container = new Container(spec.name)
    whileRunning(`container ${spec.name}`, () => container.remove())
    // A create that failed or was cut short may still have reached the engine: the name is removed all the same.
    await execute(createPlan(spec), { quiet: 'output', signal }).catch(async (error: unknown) => {
      await container.remove()
      throw error
    })
    return container
  }

  /** Starts it attached; past `timeoutMs` it is killed, and the docker CLI too when it does not return. */
  async run(timeoutMs: number): Promise<RunResult> {
    const cli = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      void execute(killPlan(this.name), { allowFailure: true, quiet: true })
      setTimeout(() => cli.abort(), KILL_GRACE_MS).unref()
    }, timeoutMs)
    try {
      // Its output reaches the log once, kept to its head and tail, by the caller: a program may print megabytes.
      const outcome = await execute(startPlan(this.name), { allowFailure: true, quiet: 'output', signal: cli.signal, keepBytes: KEPT_OUTPUT_BYTES })
      return { outcome, timedOut }
    } finally {
      clearTimeout(timer)
    }
  }

  async copyIn(file: string, destination: string): Promise<void> {
    await execute(copyPlan(file, this.name, destination), { quiet: true })
  }

  private removing?: Promise<unknown>

  /**
   * One removal, however many ask: the run's own clean-up and a signal's may come at once, and the signal's must
   * wait for the one under way, or the process exits while the container is still there.
   */
  async remove(): Promise<void> {
    this.removing ??= this.removeUntilGone()
    await this.removing
    done(`container ${this.name}`)
  }

  /** A removal the signal cut short (its docker client killed) or that found another under way is tried again. */
  private async removeUntilGone(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = await execute(removePlan([this.name]), { allowFailure: true, quiet: true, cleanup: true })
      if (outcome.code === 0 || /no such container/i.test(outcome.stderr)) return
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  }
}

/** Removes every container the run `runId` made that is still there (the post step, after a killed run). */
export async function removeLeftovers(runId: string): Promise<string[]> {
  const listed = await execute(leftoverPlan(runId), { allowFailure: true, quiet: true })
  const ids = listed.stdout.split('\n').filter(Boolean)
  if (ids.length > 0) await execute(removePlan(ids), { allowFailure: true, quiet: true })
  return ids
}
