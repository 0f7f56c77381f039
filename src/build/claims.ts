import { warn } from '../process/index.js'
import type { Injection } from './symbols.js'

// "Injected" is a claim about what the program reports, not about the linker's data: a value the program replaces at
// start-up, or a constant where a variable was meant, makes it false, and the note says why and what to change.

/** What the source says of where a role's value goes, read before linking (see targets.ts). */
export interface RoleSource {
  /** The variable is set when the program starts, over what -X gave it. */
  startup?: 'initializer' | 'init'
  /** Constants of the main module named like the role's variable: -X cannot set them. */
  constants: string[]
}

const STARTUP_TEXT = {
  initializer: 'its declaration computes its value (a call), which runs when the program starts',
  init: 'a func init of its package assigns it'
}

/** The injection held to the source: an overwritten variable did not receive the value, a constant is named. */
export function heldToSource(injection: Injection, source: RoleSource | undefined): Injection {
  if (!source) return injection
  const input = `${injection.role}-variable`
  if (injection.injected && source.startup) {
    const text =
      `The ${injection.role} is not what the program reports: -X set ${injection.variable}, but ${STARTUP_TEXT[source.startup]}, over that value. ` +
      `Assign it only when it is empty (if v == "" { … }), or set ${input}: none if the program's own value is what you want.`
    return { ...injection, injected: false, overridden: { by: 'startup' }, note: { level: 'warning', text } }
  }
  if (injection.injected || source.constants.length === 0) return injection
  const constants = source.constants.join(', ')
  const text =
    `${constants} ${source.constants.length === 1 ? 'is a constant' : 'are constants'}, which -X cannot set: declare it as a string variable ` +
    `(var instead of const) and set ${input} to it, or set ${input}: none.`
  const joined = injection.note ? `${injection.note.text} ${text}` : text
  return { ...injection, note: { level: 'warning', text: joined } }
}

// A version as programs print them: 1.2.3, v1.2.3-rc.1, with build metadata; not Go's own go1.26.0.
const PRINTED_VERSION = /(?<![\w.])(?<!go)v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]*[0-9A-Za-z])?(?:\+[0-9A-Za-z.-]*[0-9A-Za-z])?(?!\w|\.\w)/g

/** The versions a program printed that are not `version` (with or without its v); none when it printed `version`. */
export function otherVersions(printed: string, version: string): string[] {
  const bare = version.replace(/^v/, '')
  const found = [...new Set(printed.match(PRINTED_VERSION) ?? [])]
  if (found.some(v => v.replace(/^v/, '') === bare) || printed.includes(version)) return []
  return found
}

/**
 * The version's injection held to what the smoke test printed: a program that prints another version and not the
 * injected one does not carry it, whatever its data says.
 */
export function heldToOutput(injection: Injection, printed: string, value: string): Injection {
  if (injection.role !== 'version' || !injection.injected) return injection
  const others = otherVersions(printed, value)
  if (others.length === 0) return injection
  const text =
    `The smoke test printed ${others.slice(0, 3).join(', ')}, not the injected version ${value}: the program reports a version of its own, ` +
    `set after -X gave ${injection.variable} its value. Set version-variable to the variable it prints, or version-variable: none.`
  return { ...injection, injected: false, overridden: { by: 'smoke', printed: others.slice(0, 3) }, note: { level: 'warning', text } }
}

/** Every injection held to what the smoke test printed (stdout and stderr); a claim it takes back is warned of. */
export function heldToPrinted(injections: Injection[], printed: string, version: string): Injection[] {
  return injections.map(injection => {
    const held = heldToOutput(injection, printed, version)
    if (held !== injection && held.note) warn(held.note.text)
    return held
  })
}
