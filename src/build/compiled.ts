import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'

// When a go build has compiled every package: its link step writes importcfg.link into its work folder ($WORK/b001,
// the main package's) just before the linker starts. From then on the build cache holds every package, so a second
// build of the same packages (the unstripped twin) only links: on a warm cache at once, on a cold one after the
// shipped build's compiles, never beside them.

const POLL_MS = 50

/** Whether a go build whose GOTMPDIR is `dir` has started its link. */
async function linking(dir: string): Promise<boolean> {
  const works = await readdir(dir).catch(() => [] as string[])
  return works.some(work => work.startsWith('go-build') && existsSync(path.join(dir, work, 'b001', 'importcfg.link')))
}

/** Resolves once the build has started its link, or has ended (however it ended): then every package it could compile is cached. */
export async function compilesDone(dir: string, build: Promise<unknown>): Promise<void> {
  let ended = false
  const settled = build.then(
    () => (ended = true),
    () => (ended = true)
  )
  while (!ended && !(await linking(dir))) {
    await Promise.race([settled, new Promise(resolve => setTimeout(resolve, POLL_MS))])
  }
}
