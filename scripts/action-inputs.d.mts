export const ROOT: string
export function readActionYaml(file?: string): {
  inputs?: Record<string, { description?: string; default?: unknown; required?: boolean }>
  outputs?: Record<string, unknown>
  runs?: Record<string, unknown>
}
export function inputVariable(name: string): string
export function actionYamlOf(action?: string): string
export function runnerInputs(given: Record<string, string>, options?: { githubToken?: string; action?: string }): Record<string, string>
export function inputEnvironment(given: Record<string, string>, options?: { githubToken?: string; action?: string }): Record<string, string>
