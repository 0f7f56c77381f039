export declare const ROOT: string
export declare function readOutputs(file: string): Record<string, string>
export declare function maskLog(raw: string): string
export interface ActionResult {
  code: number
  log: string
  outputs: Record<string, string>
  summary: string
  wallMs: number
  runnerTemp: string
}
export declare function runAction(
  inputs: Record<string, string>,
  options: { workspace: string; env?: Record<string, string>; echo?: boolean; inheritEnv?: boolean }
): Promise<ActionResult>
