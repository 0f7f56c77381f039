import * as core from '@actions/core'
import { shown } from './values.js'

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
  throw new Error(`${name} must be true or false, not "${shown(text)}"`)
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

// How long an input may be. Lists (one item a line) get room for many items; a name, a path or a word gets what
// any real one needs. A longer value is refused before anything is read of it or built, and never echoed whole.
const LIST_CHARACTERS = 16_384
const FLAG_CHARACTERS = 8_192
const PATH_CHARACTERS = 4_096
const NAME_CHARACTERS = 1_024
const WORD_CHARACTERS = 256
export const INPUT_LIMITS: Record<string, number> = {
  'working-directory': PATH_CHARACTERS,
  package: PATH_CHARACTERS,
  'binary-name': NAME_CHARACTERS,
  version: WORD_CHARACTERS,
  build: WORD_CHARACTERS,
  'version-variable': NAME_CHARACTERS,
  'build-variable': NAME_CHARACTERS,
  ldflags: FLAG_CHARACTERS,
  'build-flags': FLAG_CHARACTERS,
  platforms: NAME_CHARACTERS,
  upx: WORD_CHARACTERS,
  'upx-version': WORD_CHARACTERS,
  'upx-sha256': WORD_CHARACTERS,
  'upx-download-url': PATH_CHARACTERS,
  compression: WORD_CHARACTERS,
  'compression-level': WORD_CHARACTERS,
  'final-stage': NAME_CHARACTERS,
  expose: NAME_CHARACTERS,
  args: FLAG_CHARACTERS,
  workdir: PATH_CHARACTERS,
  files: LIST_CHARACTERS,
  tzdata: WORD_CHARACTERS,
  image: NAME_CHARACTERS,
  tags: LIST_CHARACTERS,
  labels: LIST_CHARACTERS,
  load: WORD_CHARACTERS,
  push: WORD_CHARACTERS,
  'push-by-digest': WORD_CHARACTERS,
  annotations: LIST_CHARACTERS,
  provenance: NAME_CHARACTERS,
  sbom: NAME_CHARACTERS,
  compare: WORD_CHARACTERS,
  'base-ref': NAME_CHARACTERS,
  'baseline-image': NAME_CHARACTERS,
  'baseline-cache': WORD_CHARACTERS,
  comment: WORD_CHARACTERS,
  'comment-key': WORD_CHARACTERS,
  'github-token': PATH_CHARACTERS,
  'comment-timeout': WORD_CHARACTERS,
  'max-size': WORD_CHARACTERS,
  'max-increase': WORD_CHARACTERS,
  builder: NAME_CHARACTERS,
  'smoke-test': FLAG_CHARACTERS,
  'smoke-test-timeout': WORD_CHARACTERS
}

/** The merge action's inputs: its own, and those it shares with the build action. */
export const MERGE_INPUT_LIMITS: Record<string, number> = {
  reports: LIST_CHARACTERS,
  ...Object.fromEntries(
    ['tags', 'annotations', 'comment', 'comment-key', 'github-token', 'comment-timeout', 'max-size', 'max-increase'].map(name => [name, INPUT_LIMITS[name]])
  )
}

/**
 * Every input over its length, said in one line each (its name, its length, its limit, the start of the value, never
 * a token), and the inputs as the readers then see them: one over its length reads as not given, so the other
 * inputs' problems are reported with it, and no reader parses or echoes the long value.
 */
export function boundInputs(input: InputReader, limits: Record<string, number> = INPUT_LIMITS): { input: InputReader; problems: string[] } {
  const tooLong = new Set<string>()
  const problems = Object.entries(limits).flatMap(([name, limit]) => {
    const value = input(name)
    if (value.length <= limit) return []
    tooLong.add(name)
    // eslint-disable-next-line no-control-regex
    const start = name === 'github-token' ? '' : ` (it starts "${value.slice(0, 40).replace(/[\x00-\x1f\x7f]/g, ' ')}…")`
    return [`${name} is ${value.length} characters, over the ${limit} it may have${start}: shorten it`]
  })
  return { input: name => (tooLong.has(name) ? '' : input(name)), problems }
}
