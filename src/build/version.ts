import { execute, warn, type Plan } from '../process/index.js'
import { type Settings, shown } from '../settings/index.js'
import { splitSymbol, type Injection } from './symbols.js'

/** Where the version came from: the report says so, since a number past a tag is not the tag's release. */
export type VersionOrigin =
  | { kind: 'input' }
  | { kind: 'pushed-tag' }
  | { kind: 'tag'; tag: string }
  /** Go's pseudo-version of a commit `commits` past `tag`. */
  | { kind: 'past-tag'; tag: string; commits: number }
  | { kind: 'no-tag' }

export interface VersionInfo {
  version: string
  build: string
  /** The commit built (a pull request's head, not GitHub's merge), whatever the build input says; none without git. */
  commit?: string
  /** Commit time in seconds: SOURCE_DATE_EPOCH for reproducible images; undefined without a commit. */
  commitTime?: number
  origin: VersionOrigin
}

// Seed 000's Makefile: the latest tag or 0.1.0, the commit or "undefined".
export const DEFAULT_VERSION = '0.1.0'
export const DEFAULT_BUILD = 'undefined'

export const versionPlans = (cwd: string) => ({
  // --long names the same tag as the seed's --abbrev=0 and adds how many commits lie past it.
  describe: (commit: string) => ({ program: 'git', args: ['describe', '--tags', '--long', commit], cwd }) satisfies Plan,
  commitObject: (commit: string) => ({ program: 'git', args: ['cat-file', 'commit', commit], cwd }) satisfies Plan,
  // One git start for both: `true`/`false`, then the commit.
  head: { program: 'git', args: ['rev-parse', '--is-shallow-repository', 'HEAD'], cwd } satisfies Plan,
  // The raw object names its parents even in a depth-1 clone, where `git log %P` shows none; and the commit time.
  headObject: { program: 'git', args: ['cat-file', 'commit', 'HEAD'], cwd } satisfies Plan
})

/** The parent commits named in a raw commit object (`git cat-file commit`). */
export function commitParents(rawCommit: string): string[] {
  const header = rawCommit.split('\n\n')[0]
  return [...header.matchAll(/^parent ([0-9a-f]{40,64})$/gm)].map(match => match[1])
}

/** The committer's time in a raw commit object, in seconds (what `git log --format=%ct` shows). */
export function commitTime(rawCommit: string): number | undefined {
  const time = /^committer .* (\d+) [+-]\d{4}$/m.exec(rawCommit.split('\n\n')[0])?.[1]
  return time === undefined ? undefined : Number(time)
}

/**
 * On a pull request actions/checkout gives GitHub's merge commit, which no reviewer can find: the build is
 * then the pull request's head, the merge's second parent. Any other checkout keeps its own commit.
 */
export function pullRequestBuild(head: string, rawCommit: string, headSha: string | undefined): string {
  if (!headSha) return head
  const parents = commitParents(rawCommit)
  return parents.length === 2 && parents[1] === headSha ? headSha : head
}

/** On a tag push the tag is the version, whatever `git describe` finds in a shallow clone. */
export function tagFromRef(ref: string | undefined): string | undefined {
  return ref?.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined
}

/** `git describe --tags --long`: the nearest tag and how many commits lie past it (the tag itself may hold dashes). */
export function parseDescribe(output: string): { tag: string; commits: number } | undefined {
  const match = /^(.+)-(\d+)-g[0-9a-f]+$/.exec(output.trim())
  return match ? { tag: match[1], commits: Number(match[2]) } : undefined
}

// A release tag as Go reads it, after any module-folder prefix (tools/v1.2.3); the v is kept as the tag has it.
const SEMVER_TAG = /^(?:.*\/)?(v?)(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(\+[0-9A-Za-z.-]+)?$/

/**
 * Go's pseudo-version of a commit past `tag` (golang.org/x/mod/module.PseudoVersion): vX.Y.(Z+1)-0.TIME-REV past
 * a release, vX.Y.Z-pre.0.TIME-REV past a pre-release, v0.0.0-TIME-REV past a tag that is no version; TIME is the
 * commit's UTC time, REV its first 12 hex digits, and build metadata (+incompatible) stays at the end.
 */
export function pseudoVersion(tag: string, commit: string, time: number): string {
  const stamp = new Date(time * 1000).toISOString().replace(/\D/g, '').slice(0, 14)
  const rev = commit.slice(0, 12)
  const match = SEMVER_TAG.exec(tag)
  if (!match) return `v0.0.0-${stamp}-${rev}`
  const [, v, major, minor, patch, pre, build = ''] = match
  if (pre) return `${v}${major}.${minor}.${patch}-${pre}.0.${stamp}-${rev}${build}`
  return `${v}${major}.${minor}.${BigInt(patch) + 1n}-0.${stamp}-${rev}${build}`
}

export const isSemverTag = (tag: string) => SEMVER_TAG.test(tag)

const quiet = { allowFailure: true, quiet: true }

/** The commit's own version: its tag, Go's pseudo-version past one, or the seed's 0.1.0 when no tag is reachable. */
async function describeCommit(cwd: string, commit: string, rawCommit: string | undefined, shallow: boolean): Promise<Pick<VersionInfo, 'version' | 'origin'>> {
  const plans = versionPlans(cwd)
  const [described, object] = await Promise.all([
    execute(plans.describe(commit), quiet),
    rawCommit === undefined ? execute(plans.commitObject(commit), quiet) : { code: 0, stdout: rawCommit }
  ])
  const nearest = described.code === 0 ? parseDescribe(described.stdout) : undefined
  const time = object.code === 0 ? commitTime(object.stdout) : undefined
  if (nearest?.commits === 0) return { version: nearest.tag, origin: { kind: 'tag', tag: nearest.tag } }
  if (nearest && time !== undefined) return { version: pseudoVersion(nearest.tag, commit, time), origin: { kind: 'past-tag', ...nearest } }
  if (shallow) {
    warn(
      `No tag is reachable in this shallow clone, so the version is ${DEFAULT_VERSION}. ` +
        'Fetch the history and tags: actions/checkout with "fetch-depth: 0" (or "fetch-tags: true"), or set the version input.'
    )
  }
  return { version: DEFAULT_VERSION, origin: { kind: 'no-tag' } }
}

export async function resolveVersion(settings: Pick<Settings, 'build' | 'github'>): Promise<VersionInfo> {
  const plans = versionPlans(settings.build.workingDirectory)
  const [head, headObject] = await Promise.all([execute(plans.head, quiet), execute(plans.headObject, quiet)])
  const [shallowLine, commitLine] = head.stdout.trim().split('\n')
  const commit = head.code === 0 ? (commitLine ?? '') : ''
  // The commit a reviewer can find (a pull request's head, not GitHub's merge) is both the build and what the version describes.
  const subject = commit ? pullRequestBuild(commit, headObject.stdout, settings.github.pullRequest?.headSha) : undefined
  const build = settings.build.build ?? subject ?? DEFAULT_BUILD
  const times = { commit: subject, commitTime: headObject.code === 0 ? commitTime(headObject.stdout) : undefined }
  const pushed = tagFromRef(settings.github.ref)
  if (settings.build.version) return { version: settings.build.version, build, ...times, origin: { kind: 'input' } }
  if (pushed) return { version: pushed, build, ...times, origin: { kind: 'pushed-tag' } }
  if (!subject) return { version: DEFAULT_VERSION, build, ...times, origin: { kind: 'no-tag' } }
  const own = await describeCommit(settings.build.workingDirectory, subject, subject === commit ? headObject.stdout : undefined, shallowLine === 'true')
  return { ...own, build, ...times }
}

/** What the version is, in words: where it came from when that is not plain. */
export function versionOriginText(origin: VersionOrigin): string | undefined {
  if (origin.kind !== 'past-tag') return undefined
  // A tag is any name git allows: shown with what a version may hold only, so it cannot shape the markdown around it.
  const tag = shown(origin.tag.replace(/[^\w.+~/-]/g, '?'), 80)
  const commits = `${origin.commits} commit${origin.commits === 1 ? '' : 's'} after ${tag}`
  return isSemverTag(origin.tag) ? commits : `${commits}, which is no semantic version (so Go's base v0.0.0)`
}

/** The declaration of a package-level variable as gofmt writes it (`go doc -u -src`). */
export const declarationPlan = (cwd: string, pkg: string, ident: string): Plan => ({ program: 'go', args: ['doc', '-u', '-src', pkg, ident], cwd })

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The string a variable is declared with on its own line (`var version = "unknown"`, or inside a var block). */
export function declaredString(source: string, ident: string): string | undefined {
  const pattern = new RegExp(`^\\s*(?:var\\s+)?${escapeRegExp(ident)}(?:\\s+string)?\\s*=\\s*("(?:[^"\\\\\\n]|\\\\.)*"|\`[^\`]*\`)`, 'mu')
  const literal = pattern.exec(source)?.[1]
  if (literal === undefined) return undefined
  if (literal.startsWith('`')) return literal.slice(1, -1)
  try {
    return JSON.parse(literal) as string
  } catch {
    // Go escapes JSON has not (\x41, \'): the text between the quotes is near enough to name it.
    return literal.slice(1, -1)
  }
}

/**
 * With no tag, 0.1.0 goes in where the program had a version of its own (`var version = "unknown"`): the value it
 * replaced, so the report can say so. Undefined when a tag or the input gave the version, or the declaration says none.
 */
export async function replacedDefault(
  settings: Pick<Settings, 'build'>,
  version: VersionInfo,
  injection: Injection | undefined
): Promise<{ variable: string; value: string } | undefined> {
  if (version.origin.kind !== 'no-tag' || !injection?.injected) return undefined
  const { pkg, ident } = splitSymbol(injection.variable)
  const declared = await execute(declarationPlan(settings.build.workingDirectory, pkg === 'main' ? settings.build.package : pkg, ident), quiet)
  const value = declared.code === 0 ? declaredString(declared.stdout, ident) : undefined
  return value === undefined || value === '' || value === version.version ? undefined : { variable: injection.variable, value }
}
