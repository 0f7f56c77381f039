export declare const ROOT: string
export declare function readOutputs(file: string): Record<string, string>
export declare function maskLog(raw: string): string
export interface ActionResult {
  code: number
  log: string
  outputs: Record<string, string>
  summary: string
  wallMs: number
  /** Each log group (a phase) with the times, from the start, its first and last lines arrived. */
  groups: Array<{ name: string; startMs: number; endMs?: number }>
  runnerTemp: string
  /** What the action saved for its post step (core.saveState). */
  state: Record<string, string>
}
export declare function runAction(
  inputs: Record<string, string>,
  options: {
    workspace: string
    env?: Record<string, string>
    echo?: boolean
    inheritEnv?: boolean
    /** Signals the action (SIGTERM by default) once its log matches: a cancelled job. */
    signalWhen?: { pattern: RegExp; signal?: NodeJS.Signals }
    /** The action's folder in this repository: `.` (the build, by default) or `merge`. */
    action?: string
  }
): Promise<ActionResult>
export declare function runPost(
  main: Pick<ActionResult, 'state' | 'runnerTemp'>,
  options: { workspace: string; env?: Record<string, string> }
): Promise<{ code: number; log: string }>
