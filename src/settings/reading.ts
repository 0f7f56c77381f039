import * as core from '@actions/core'

// Reading the inputs: every problem recorded, all of them reported at once.

/** Every problem with the inputs, reported together so one run shows all that must change. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? `Invalid input: ${problems[0]}` : `Invalid inputs:\n- ${problems.join('\n- ')}`)
  }
}

/**
 * Reads an input as the runner set it. The runner sets every input that action.yml declares, with its default
 * when the workflow gives none, so the defaults live in action.yml only.
 */
export type InputReader = (name: string) => string

export const readActionInput: InputReader = name => core.getInput(name)

export function parseBoolean(name: string, text: string): boolean {
  if (/^(true|yes|1|on)$/i.test(text)) return true
  if (/^(false|no|0|off)$/i.test(text)) return false
  throw new Error(`${name} must be true or false, not "${text}"`)
}

/** What every group reader gets: the inputs, the environment, and the list every problem goes to. */
export interface Reading {
  get: (name: string) => string
  /** Runs a parse, its error recorded as a problem (and the fallback returned): every problem is reported at once. */
  attempt: <T>(parse: () => T, fallback: T) => T
  problems: string[]
  workspace: string
  env: NodeJS.ProcessEnv
}

/** The inputs as every group reader reads them: trimmed, each problem recorded and all of them reported at once. */
export function openReading(input: InputReader, env: NodeJS.ProcessEnv): Reading {
  const problems: string[] = []
  return {
    get: name => input(name).trim(),
    attempt: (parse, fallback) => {
      try {
        return parse()
      } catch (error) {
        problems.push((error as Error).message)
        return fallback
      }
    },
    problems,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    env
  }
}
