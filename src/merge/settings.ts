import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  type Budget,
  boundInputs,
  MERGE_INPUT_LIMITS,
  type CommentSettings,
  type GitHubContext,
  InputError,
  type InputReader,
  isImageReference,
  isTagName,
  openReading,
  parseList,
  readActionInput,
  readBudget,
  readComment,
  readGitHub,
  readPullRequest,
  shown
} from '../settings/index.js'

/** The merge action's inputs (merge/action.yml), parsed once. */
export interface MergeSettings {
  /** Paths or globs of report files, relative to the workspace. */
  reports: string[]
  workspace: string
  /** The runner's temporary folder: reports downloaded there may be read too. */
  runnerTemp: string
  /** Bare tags go to every image; full references to the image of their repository. */
  tags: string[]
  /** The index's annotations. */
  annotations: Record<string, string>
  comment: CommentSettings
  budget: Budget
  github: GitHubContext
}

/** `key=value` or `index:key=value`; any other level names a manifest, which the merge does not write. */
function readAnnotation(line: string, problems: string[]): [string, string] | undefined {
  const match = /^(?:([a-z-]+(?:\[[^\]]*\])?(?:,[a-z-]+(?:\[[^\]]*\])?)*):)?([^=\s:]+)=(.*)$/.exec(line)
  if (!match) {
    problems.push(`annotation "${shown(line)}" is not of the form key=value or index:key=value`)
    return undefined
  }
  const levels = match[1]?.split(',').map(level => level.replace(/\[.*$/, ''))
  if (levels && !levels.every(level => level === 'index')) {
    problems.push(
      `annotation "${shown(line)}" is for ${levels.filter(l => l !== 'index').join(', ')}, but the merge writes only the index: give it to the jobs that build (their annotations input), and index:key=value here`
    )
    return undefined
  }
  return [match[2], match[3]]
}

function readTags(text: string, problems: string[]): string[] {
  const tags = parseList(text, { commas: true })
  for (const tag of tags) {
    if (tag.includes('@')) problems.push(`tag "${shown(tag)}" holds a digest: a tag names the index, drop the @sha256:… part`)
    else if (!isTagName(tag) && !isImageReference(tag))
      problems.push(`tag "${shown(tag)}" is neither a tag like 1.2.3 nor an image reference like ghcr.io/owner/app:1.2.3`)
  }
  return tags
}

export function readMergeSettings(input: InputReader = readActionInput, env: NodeJS.ProcessEnv = process.env): MergeSettings {
  const bounded = boundInputs(input, MERGE_INPUT_LIMITS)
  const reading = openReading(bounded.input, env)
  const { get, attempt, problems } = reading
  problems.push(...bounded.problems)
  const reports = parseList(get('reports'), { commas: false })
  if (reports.length === 0) problems.push('reports is empty: give the report files of the jobs to merge, like reports/*/report.json')
  for (const pattern of reports) {
    if (pattern.startsWith('-')) problems.push(`reports "${shown(pattern)}" starts with a dash: give a path or a glob, like reports/*/report.json`)
  }
  const annotations = parseList(get('annotations'), { commas: false })
    .map(line => readAnnotation(line, problems))
    .filter(pair => pair !== undefined)
  const pullRequest = attempt(() => readPullRequest(env.GITHUB_EVENT_PATH, env.GITHUB_EVENT_NAME), undefined)
  const settings: MergeSettings = {
    reports,
    workspace: reading.workspace,
    runnerTemp: path.resolve(env.RUNNER_TEMP || tmpdir()),
    tags: readTags(get('tags'), problems),
    annotations: Object.fromEntries(annotations),
    comment: readComment(reading),
    budget: readBudget(reading),
    github: readGitHub(reading, pullRequest)
  }
  if (problems.length > 0) throw new InputError(problems)
  return settings
}
