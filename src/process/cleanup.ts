import { execute, killChildren } from './runner.js'
import { info } from './log.js'

/**
 * What a run leaves on the runner while it works (its temporary folder, the base's checkout in it), undone when the run
 * is interrupted, and by the post step at the end of the job whatever happened.
 */
const undo = new Map<string, () => Promise<void>>()

export function whileRunning(key: string, cleanup: () => Promise<void>): void {
  undo.set(key, cleanup)
}

export function done(key: string): void {
  undo.delete(key)
}

async function undoAll(): Promise<void> {
  for (const cleanup of [...undo.values()].reverse()) await cleanup().catch(() => undefined)
  undo.clear()
}

let cancelledBy: NodeJS.Signals | undefined

/** The signal that cancelled the run, if one did: a tool it ended did not fail on its own. */
export const cancelSignal = () => cancelledBy

/** On SIGTERM or SIGINT (a cancelled job): end the tools still running, undo what is registered, exit. */
export function exitCleanlyOnSignals(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      cancelledBy = signal
      info(`${signal}: ending the tools still running and removing this run's temporary files`)
      killChildren()
      void undoAll().finally(() => process.exit(signal === 'SIGTERM' ? 143 : 130))
    })
  }
}

// What the post step needs to know, saved by the main step (core.saveState).
export const STATE = { post: 'isPost', workDir: 'workDir', repository: 'repository' } as const

/** Worktrees this action made, left by runs that were killed before they could remove them. */
export function staleWorktrees(porcelain: string, keep?: string): string[] {
  return porcelain
    .split('\n')
    .filter(line => line.startsWith('worktree '))
    .map(line => line.slice('worktree '.length))
    .filter(dir => /\/go-slim-image-[^/]+\/base-worktree$/.test(dir) && dir !== keep)
}

/** Removes the worktrees of this action in `top` that no run holds any more. */
export async function pruneWorktrees(top: string, keep?: string): Promise<void> {
  await execute({ program: 'git', args: ['worktree', 'prune'], cwd: top }, { allowFailure: true, quiet: true })
  const listed = await execute({ program: 'git', args: ['worktree', 'list', '--porcelain'], cwd: top }, { allowFailure: true, quiet: true })
  for (const dir of staleWorktrees(listed.stdout, keep)) {
    await execute({ program: 'git', args: ['worktree', 'remove', '--force', dir], cwd: top }, { allowFailure: true, quiet: true })
    info(`removed the worktree ${dir}, left by an interrupted run`)
  }
}
