import path from 'node:path'
import { type Engine, loadTarball } from '../image/index.js'
import type { Target } from '../measure/index.js'
import { execute, warn, type Plan } from '../process/index.js'
import type { Settings } from '../settings/index.js'

export const dockerLoadPlan = (tarball: string): Plan => ({ program: 'docker', args: ['load', '--input', tarball] })

/** Puts the measured image into the engine under its tags, as it is (no rebuild); `platform` loads that one alone. */
export async function loadLayout(target: Pick<Target, 'layout' | 'tags'>, workDir: string, platform?: string): Promise<void> {
  const tarball = path.join(workDir, `load-${platform?.replaceAll('/', '-') ?? 'all'}.tar`)
  await loadTarball(target.layout, target.tags, tarball, platform)
  await execute(dockerLoadPlan(tarball), { quiet: true })
}

/** Whether the engine can hold the whole image: the classic store holds one platform only. */
export const canLoadAll = (settings: Pick<Settings, 'build'>, engine: Engine) => settings.build.platforms.length === 1 || engine.containerdStore

/** Loads the image when asked to and the engine can hold it; says whether the engine now holds every platform. */
export async function loadAsAsked(settings: Settings, engine: Engine, target: Target, workDir: string): Promise<boolean> {
  if (target.inEngine) return true
  if (!settings.publish.load) return false
  if (!canLoadAll(settings, engine)) {
    warn("load skipped: the engine's image store cannot hold a multi-platform image (enable the containerd image store to load it)")
    return false
  }
  await loadLayout(target, workDir)
  return true
}
