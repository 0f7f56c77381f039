/** Inputs as the runner gives them: every input of action.yml, its default unless the test sets it. */
import { runnerInputs } from '../../scripts/action-inputs.mjs'
import type { InputReader } from '../../src/settings/reading.js'

export function actionInputs(given: Record<string, string> = {}, read?: Set<string>, action = '.'): InputReader {
  const values = runnerInputs(given, { githubToken: 'ghs_default_token', action })
  return name => {
    if (!(name in values)) throw new Error(`the code reads input "${name}", which action.yml does not declare`)
    read?.add(name)
    return values[name]
  }
}
