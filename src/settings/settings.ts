import { tmpdir } from 'node:os'
import path from 'node:path'
import { readBuild } from './build.js'
import { readBudget, readComment, readCompare } from './compare.js'
import { readGitHub, readPullRequest } from './github.js'
import { readEngine, readPack, readStage } from './image.js'
import { readPublish } from './publish.js'
import { boundInputs, InputError, type InputReader, openReading, readActionInput } from './reading.js'
import { readSmoke } from './run.js'
import type { Settings } from './types.js'

// Every group read once, in one pass over the inputs.

export function readSettings(input: InputReader = readActionInput, env: NodeJS.ProcessEnv = process.env): Settings {
  const bounded = boundInputs(input)
  const reading = openReading(bounded.input, env)
  const { problems } = reading
  problems.push(...bounded.problems)
  const build = readBuild(reading)
  const publish = readPublish(reading, build)
  // Read once: the comparison needs to know there is one, the GitHub context carries it.
  const pullRequest = reading.attempt(() => readPullRequest(env.GITHUB_EVENT_PATH, env.GITHUB_EVENT_NAME), undefined)
  const settings: Settings = {
    build,
    pack: readPack(reading),
    stage: readStage(reading),
    publish,
    engine: readEngine(reading),
    smoke: readSmoke(reading),
    compare: readCompare(reading, pullRequest !== undefined),
    comment: readComment(reading),
    budget: readBudget(reading),
    // Absolute, so that no path made from it can be read as a flag of the tools it is passed to.
    runnerTemp: path.resolve(env.RUNNER_TEMP || tmpdir()),
    github: readGitHub(reading, pullRequest),
    derived: [...(reading.get('binary-name') ? [] : ['binary-name' as const]), ...(reading.get('image') ? [] : ['image' as const])]
  }
  if (problems.length > 0) throw new InputError(problems)
  return settings
}
