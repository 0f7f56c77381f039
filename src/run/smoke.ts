import path from 'node:path'
import type { Target } from '../measure/index.js'
import { LOST_SNAPSHOT } from '../image/index.js'
import { cancelSignal, hostPlatform, info, type Phase, settleLater, warn } from '../process/index.js'
import { loadLayout } from '../publish/index.js'
import { clip, type Settings } from '../settings/index.js'
import { Container, KEPT_OUTPUT_BYTES, type ContainerSpec } from './sandbox.js'
import { prepareStartup, timeStartup, type Startup } from './startup.js'
import { buildTimer } from './timer.js'

export interface SmokeResult {
  args: string[]
  stdout: string
  stderr: string
  /** Why the smoke test failed; absent when it exited 0 in time. */
  error?: string
}

// What docker create says when the engine lost the image, or a snapshot under it, after the run loaded it.
const LOST_IMAGE = new RegExp(`No such image|${LOST_SNAPSHOT.source}`, 'i')

// How much longer than the smoke test's timeout creating its container may take.
const CREATE_GRACE_MS = 30_000

// Of what a failing smoke test printed, the characters its failure message quotes.
const SMOKE_SAID = 2000

/**
 * Runs the image once in the sandbox with the smoke-test arguments; it must exit 0 before the timeout. A container
 * that passed is handed back for the start-up timing (the caller removes it); any other is removed here.
 */
export async function smokeTest(
  spec: ContainerSpec,
  timeoutSeconds: number,
  reload?: () => Promise<void>
): Promise<{ result: SmokeResult; passed?: Container }> {
  const timeoutMs = timeoutSeconds * 1000
  const command = [spec.reference, ...spec.args].join(' ')
  const late = `smoke test: ${command} did not exit within ${timeoutSeconds}s (smoke-test-timeout)`
  // The creation has a bound of its own, past the timeout: a create cut short may still reach the engine and leave a
  // container behind, and a short timeout must not cut it. A hung engine still ends the run.
  const creating = AbortSignal.timeout(timeoutMs + CREATE_GRACE_MS)
  let container: Container
  try {
    container = await Container.create(spec, creating).catch(async (error: unknown) => {
      // The containerd image store sometimes loses a parent snapshot of an image it has just loaded (moby/buildkit#6521,
      // seen on Docker 29): loaded once more, the image is created from what the run measured, never pulled.
      if (!reload || !LOST_IMAGE.test((error as Error).message)) throw error
      info(`the engine lost part of ${spec.reference} right after it was loaded (moby/buildkit#6521): loading it again for the smoke test`)
      await reload()
      return Container.create(spec, creating)
    })
  } catch (error) {
    const why = (error as Error).message
    return { result: { args: spec.args, stdout: '', stderr: why, error: creating.aborted ? late : `smoke test: the container could not be created: ${why}` } }
  }
  const { outcome, timedOut } = await container.run(timeoutMs)
  const cancelled = cancelSignal()
  if (cancelled) {
    await container.remove()
    return {
      result: { args: spec.args, stdout: outcome.stdout, stderr: outcome.stderr, error: `smoke test: not finished: the run was cancelled (${cancelled})` }
    }
  }
  info(clip(outcome.stdout + outcome.stderr, KEPT_OUTPUT_BYTES))
  const result = { args: spec.args, stdout: outcome.stdout, stderr: outcome.stderr }
  if (!timedOut && outcome.code === 0) return { result, passed: container }
  await container.remove()
  if (timedOut) return { result: { ...result, error: late } }
  // The failure leads the report, the comment and the step's error: what the program said is cut to its head and tail.
  return { result: { ...result, error: `smoke test: ${command} exited with ${outcome.code}:\n${clip((outcome.stdout + outcome.stderr).trim(), SMOKE_SAID)}` } }
}

/**
 * Runs the image once on the runner's own platform (loading that platform alone when the image is not in the
 * engine), then times the start-up of the plain and the packed binary when UPX packed it. Both run only in the
 * sandbox's containers, never on the runner.
 */
export async function smokeAndStartup(settings: Pick<Settings, 'build' | 'smoke'>, head: Target, loaded: boolean, workDir: string, phase: Phase) {
  const startup = new Map<string, Startup>()
  const args = settings.smoke.command
  if (!args) return { startup }
  const host = hostPlatform()
  const hostBuilt = settings.build.platforms.find(p => p.id === host?.id)
  if (!hostBuilt) {
    warn(
      `smoke test skipped: no platform in ${settings.build.platforms.map(p => p.id).join(', ')} runs on this ${host?.id ?? process.arch} runner without emulation`
    )
    return { startup }
  }
  const runId = path.basename(workDir)
  const spec: ContainerSpec = { name: `${runId}-smoke`, runId, reference: head.tags[0], platform: hostBuilt.id, args }
  const hostPacked = head.packed.find(p => p.binary.platform.id === hostBuilt.id && p.packed)
  // Linked beside the load and the smoke test, from the standard packages the shipped build compiled.
  const timer = hostPacked ? settleLater(buildTimer(workDir, hostBuilt)) : undefined
  const {
    result: smoke,
    passed,
    timing
  } = await phase('smoke test', async () => {
    if (!loaded) await loadLayout(head, workDir, hostBuilt.id)
    // Its container is made and filled while the smoke test runs: the image is in the engine from here on.
    const timing =
      hostPacked && timer ? settleLater(timer.then(built => prepareStartup(spec, built, hostPacked.binary.path, settings.build.binaryName))) : undefined
    return { ...(await smokeTest(spec, settings.smoke.timeoutSeconds, () => loadLayout(head, workDir, hostBuilt.id))), timing }
  })
  const removed = passed?.remove()
  if (timing && passed) {
    await phase('startup', async () => {
      const measured = await timing
        .then(container => timeStartup(container, settings.smoke.timeoutSeconds * 1000))
        .catch((error: unknown) => {
          // Advice only: the start-up cost is a line of the report, never the run.
          info(`the start-up time could not be measured: ${(error as Error).message}`)
          return {}
        })
      startup.set(hostBuilt.id, measured)
    })
  } else await timing?.then(container => container.remove()).catch(() => undefined)
  await Promise.all([removed, timer?.catch(() => undefined)])
  return { smoke, startup }
}
