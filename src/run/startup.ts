import { BINARY_DIR } from '../image/index.js'
import { clip } from '../settings/index.js'
import { Container, type ContainerSpec } from './sandbox.js'
import { parseRounds, STARTUP_BUDGET_MS, STARTUP_RUNS } from './timer.js'
import { info } from '../process/index.js'

// What UPX's unpacking costs at every start, timed in one container of the smoke test's sandbox.

export interface Startup {
  unpacked?: number
  packed?: number
  /** Runs of each binary the figures are the median of. */
  runs?: number
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/**
 * A container of the sandbox whose entrypoint is the timer, with the plain binary copied beside the packed one: the
 * timer starts them in turns with the smoke-test arguments. Made while the smoke test runs.
 */
export async function prepareStartup(spec: ContainerSpec, timer: string, unpackedFile: string, binaryName: string): Promise<Container> {
  const [timerPath, unpackedPath] = [`${BINARY_DIR}/.go-slim-image-timer`, `${BINARY_DIR}/.${binaryName}-unpacked`]
  const { most, least } = STARTUP_RUNS
  const args = [String(most), String(least), String(STARTUP_BUDGET_MS), `${BINARY_DIR}/${binaryName}`, unpackedPath, '--', ...spec.args]
  const container = await Container.create({ ...spec, name: `${spec.name}-startup`, entrypoint: timerPath, args })
  try {
    await Promise.all([container.copyIn(timer, timerPath), container.copyIn(unpackedFile, unpackedPath)])
    return container
  } catch (error) {
    await container.remove()
    throw error
  }
}

/** Runs the timer once; a run that fails, or a timer that does not finish in time, leaves the start-up unmeasured. */
export async function timeStartup(container: Container, timeoutMs: number): Promise<Startup> {
  try {
    // Each run of both binaries within what one smoke test may take.
    const { outcome, timedOut } = await container.run(timeoutMs * STARTUP_RUNS.most)
    const rounds = parseRounds(outcome.stdout)
    if (timedOut || outcome.code !== 0 || rounds.length < STARTUP_RUNS.least) {
      const why = timedOut ? 'did not finish in time' : `exited with ${outcome.code}: ${clip(outcome.stderr.trim(), 300)}`
      info(`the start-up time was not measured: the timer ${why}`)
      return {}
    }
    return { packed: median(rounds.map(r => r.packed)), unpacked: median(rounds.map(r => r.plain)), runs: rounds.length }
  } finally {
    await container.remove()
  }
}
