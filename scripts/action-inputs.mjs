// action.yml is the single source of the action's interface: runs made by scripts and tests get their
// INPUT_* variables from it the way the runner makes them.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The parsed action.yml; throws with the parser's message and position when it is not valid YAML. */
export function readActionYaml(file = path.join(ROOT, 'action.yml')) {
  return parse(readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true })
}

/** The metadata file of the action in folder `action` of this repository: `.` is the build, `merge` the merge. */
export const actionYamlOf = (action = '.') => path.join(ROOT, action, 'action.yml')

/** The runner's name for an input's variable: spaces become _, upper case; dashes stay. */
export const inputVariable = name => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

/**
 * The value the runner gives each declared input: the workflow's, else the default with `${{ github.token }}`
 * evaluated. An input action.yml does not declare is refused, as the runner warns and a typo would go unseen.
 */
export function runnerInputs(given, { githubToken = '', action = '.' } = {}) {
  const declared = readActionYaml(actionYamlOf(action)).inputs ?? {}
  const unknown = Object.keys(given).filter(name => !(name in declared))
  if (unknown.length) throw new Error(`action.yml declares no input ${unknown.join(', ')}`)
  const values = {}
  for (const [name, spec] of Object.entries(declared)) {
    const fallback = String(spec?.default ?? '').replace(/\$\{\{\s*github\.token\s*\}\}/g, githubToken)
    values[name] = name in given ? String(given[name]) : fallback
  }
  return values
}

/** INPUT_* variables for every declared input. */
export function inputEnvironment(given, options) {
  return Object.fromEntries(Object.entries(runnerInputs(given, options)).map(([name, value]) => [inputVariable(name), value]))
}
