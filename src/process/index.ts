// process/: what every stage shares: the runner (plans as argv, process groups ended on a signal), clean-up,
// timed phases, platforms and the warnings the report repeats. It imports no other folder.
export { STATE, cancelSignal, done, exitCleanlyOnSignals, pruneWorktrees, whileRunning } from './cleanup.js'
export { quietPhase, timedPhases } from './phase.js'
export type { Phase } from './phase.js'
export { goEnv, hostPlatform, parsePlatform } from './platform.js'
export type { Platform } from './platform.js'
export { CommandError, describe, execute, inBackground, killChildren, settleLater, toolTime } from './runner.js'
export type { Outcome, Plan } from './runner.js'
export { couldCommand, guarded, info } from './log.js'
export { warn, warningsSaid } from './warnings.js'
