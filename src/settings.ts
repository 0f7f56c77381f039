import * as core from '@actions/core'
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseList, splitFields } from './lists.js'
import { parseIncrease, parseSize, type Budget } from './gate.js'
import { parsePlatform, type Platform } from './platform.js'
import { parseFile } from './files.js'
import type { ExtraFile } from './stage.js'
import { baseRefProblem, binaryNameProblem, buildFlagsProblems, builderProblem, packageProblem, shown, workdirProblem } from './values.js'

export const UPX_LEVELS = ['off', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'best', 'lzma', 'brute', 'ultra-brute'] as const
export type UpxLevel = (typeof UPX_LEVELS)[number]

export type FinalStage =
  | { kind: 'scratch'; nonroot: false }
  | { kind: 'scratch-nonroot'; nonroot: true }
  /** Any base image, the distroless names mapped to theirs. */
  | { kind: 'image'; base: string; nonroot: boolean }

export const DISTROLESS_STATIC = 'gcr.io/distroless/static-debian12'

/** What `go build` reads: the module and its main package, the binary's name, what -X injects, flags, platforms. */
export interface BuildSettings {
  /** Absolute path of the Go module root. */
  workingDirectory: string
  package: string
  binaryName: string
  version?: string
  build?: string
  versionVariable: string
  buildVariable: string
  /** Extra linker flags, kept as one string: the go command splits -ldflags itself. */
  ldflags: string
  buildFlags: string[]
  platforms: Platform[]
}

/** What UPX reads. */
export interface PackSettings {
  upx: UpxLevel
  /** Where to get UPX when it is not on PATH. */
  upxInstall: UpxInstall
}

/** What goes into the image besides the binary, and how its layers are compressed. */
export interface StageSettings {
  /** How the layers are compressed; gzip with no level keeps BuildKit's own (cached) gzip blobs. */
  compression: Compression
  finalStage: FinalStage
  expose: string[]
  args: string[]
  workdir: string
  files: ExtraFile[]
  tzdata: boolean
  labels: Array<[string, string]>
}

/** Where the image goes: its name and tags, the engine, the registry, and what is attached to it. */
export interface PublishSettings {
  image: string
  /** Empty means: one tag derived from the version (see buildx.ts). */
  tags: string[]
  load: boolean
  push: boolean
  /** The image goes to `image` by digest only, untagged: one job of several, whose index a merge job tags. */
  byDigest: boolean
  /** buildx --annotation values, as docker/metadata-action writes them. */
  annotations: string[]
  /** buildx's --provenance as given, or (left empty, with a push) the value for a build whose exporter holds attestations. */
  provenance: string | { pushed: string }
  sbom: SbomChoice
}

/** The SBOM: none, the action's own from the binary's build info, or buildx's --sbom (BuildKit's scanner). */
export type SbomChoice = { kind: 'off' } | { kind: 'build-info' } | { kind: 'buildkit'; value: string }

/** The buildx builder: how the image is built, never what it holds (a builder's name changes from job to job). */
export interface EngineSettings {
  builder: string
}

export interface SmokeSettings {
  command?: string[]
  timeoutSeconds: number
}

export interface CompareSettings {
  /** What to compare against: nothing, the base commit rebuilt, or a published image's manifest. */
  baseline: Baseline
  /** Read a base's measurement from the Actions cache, and store this run's there. */
  cache: boolean
}

export interface CommentSettings {
  enabled: boolean
  key: string
  /** The whole comment phase: requests, retries and rate-limit waits. */
  timeoutSeconds: number
  token: string
}

/**
 * The inputs, parsed once, grouped by the stage that reads them. `build`, `pack` and `stage` are what shapes the
 * image: the fingerprint of a stored measurement hashes exactly those groups.
 */
export interface Settings {
  build: BuildSettings
  pack: PackSettings
  stage: StageSettings
  publish: PublishSettings
  engine: EngineSettings
  smoke: SmokeSettings
  compare: CompareSettings
  comment: CommentSettings
  budget: Budget
  runnerTemp: string
  github: GitHubContext
  /** Inputs left empty whose value the action derived, so that they follow the main package once it is known. */
  derived: Array<'binary-name' | 'image'>
}

/** The groups of the settings that shape the image's bytes. */
export const IMAGE_SHAPING = ['build', 'pack', 'stage'] as const

export type Compression = { kind: 'gzip'; level?: number } | { kind: 'zstd'; level: number }

/** zstd's level when none is given: the best the encoder does before its "ultra" levels, which gain nothing on a Go binary. */
export const ZSTD_LEVEL = 19

export function parseCompression(kindText: string, levelText: string): Compression {
  const kind = kindText.trim().toLowerCase()
  if (kind !== 'gzip' && kind !== 'zstd') throw new Error(`compression "${kindText}" must be gzip or zstd`)
  const range = kind === 'gzip' ? [1, 9] : [1, 22]
  if (levelText.trim() === '') return kind === 'gzip' ? { kind } : { kind, level: ZSTD_LEVEL }
  const level = Number(levelText)
  if (!Number.isInteger(level) || level < range[0] || level > range[1]) {
    throw new Error(`compression-level "${levelText}" must be a whole number from ${range[0]} to ${range[1]} for ${kind}, or empty`)
  }
  return { kind, level }
}

export interface UpxInstall {
  version: string
  /** With {version} and {arch} (amd64, arm64, …) placeholders. */
  url: string
  /** Required unless version and url are an official release we know the checksum of. */
  sha256?: string
}

export const UPX_RELEASE_URL = 'https://github.com/upx/upx/releases/download/v{version}/upx-{version}-{arch}_linux.tar.xz'

export type Baseline =
  | { kind: 'off' }
  /** `ref` is what the base commit is derived from: the PR's base, or the base-ref input. */
  | { kind: 'build'; ref?: string }
  | { kind: 'image'; reference: string }

export interface PullRequest {
  number: number
  baseRef: string
  baseSha: string
  headSha: string
}

export interface GitHubContext {
  repository?: string
  serverUrl: string
  ref?: string
  refName?: string
  eventName?: string
  pullRequest?: PullRequest
}

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target']

/** The pull request of the triggering event, from the payload file the runner writes. */
export function readPullRequest(eventPath: string | undefined): PullRequest | undefined {
  if (!eventPath || !existsSync(eventPath)) return undefined
  let event: { pull_request?: Record<string, any> }
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8')) as typeof event
  } catch (error) {
    throw new Error(
      `the event file GITHUB_EVENT_PATH (${eventPath}) is not valid JSON (${(error as Error).message}): the runner writes it; a step that rewrites it must keep it JSON`,
      {
        cause: error
      }
    )
  }
  const pr = event.pull_request
  if (!pr) return undefined
  return { number: pr.number, baseRef: pr.base?.ref, baseSha: pr.base?.sha, headSha: pr.head?.sha }
}

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

// Grammar of github.com/distribution/reference, enough to refuse what docker would refuse.
const NAME_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const HOST = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?'
// Docker reads the first component as a registry only with a dot, a port, or as localhost.
const DOMAIN = `(?:${HOST}(?:\\.${HOST})+(?::[0-9]+)?|${HOST}:[0-9]+|localhost|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)`
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
const REPOSITORY_RE = new RegExp(`^(?:${DOMAIN}/)?${NAME_PART}(?:/${NAME_PART})*$`)
const REFERENCE_RE = new RegExp(`^(?:${DOMAIN}/)?${NAME_PART}(?:/${NAME_PART})*(?::${TAG})?(?:@${DIGEST})?$`)

// distribution/reference's limit on a repository name; a tag adds at most 128, a digest its hex.
const MAX_NAME = 255

/** A repository name as docker takes it: `ghcr.io/owner/app`, `acme/app`. */
export const isRepository = (text: string): boolean => text.length <= MAX_NAME && REPOSITORY_RE.test(text)

/** A tag alone, as it follows the colon: `1.2.3`, `latest`. */
export const isTagName = (text: string): boolean => new RegExp(`^${TAG}$`).test(text)

export function isImageReference(text: string): boolean {
  return text.length <= MAX_NAME + 200 && REFERENCE_RE.test(text)
}

function parseFinalStage(text: string): FinalStage {
  switch (text) {
    case 'scratch':
      return { kind: 'scratch', nonroot: false }
    case 'scratch-nonroot':
      return { kind: 'scratch-nonroot', nonroot: true }
    case 'distroless-static':
      return { kind: 'image', base: `${DISTROLESS_STATIC}:latest`, nonroot: false }
    case 'distroless-static-nonroot':
      return { kind: 'image', base: `${DISTROLESS_STATIC}:nonroot`, nonroot: true }
  }
  if (text === '')
    throw new Error('final-stage is empty: use scratch-nonroot (the default), scratch, distroless-static, distroless-static-nonroot or an image reference')
  if (!isImageReference(text))
    throw new Error(`final-stage "${text}" is neither scratch, scratch-nonroot, distroless-static, distroless-static-nonroot nor a valid image reference`)
  return { kind: 'image', base: text, nonroot: false }
}

function parseBoolean(name: string, text: string): boolean {
  if (/^(true|yes|1|on)$/i.test(text)) return true
  if (/^(false|no|0|off)$/i.test(text)) return false
  throw new Error(`${name} must be true or false, not "${text}"`)
}

const SKIPPED = new Set(['.git', 'node_modules', 'vendor', 'testdata'])

/** Folders below `dir` that hold a go.mod (a few levels, the usual clutter skipped), nearest first. */
export function findGoMods(dir: string, depth = 4): string[] {
  const found: string[] = []
  let level = [dir]
  for (let d = 0; d < depth && level.length > 0 && found.length < 10; d++) {
    const next: string[] = []
    for (const folder of level) {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        if (!entry.isDirectory() || SKIPPED.has(entry.name) || entry.name.startsWith('.')) continue
        const child = path.join(folder, entry.name)
        if (existsSync(path.join(child, 'go.mod'))) found.push(child)
        else next.push(child)
      }
    }
    level = next
  }
  return found.sort()
}

/** version-variable or build-variable `none`: the program has no such variable, and nothing is injected or warned of. */
export const NO_VARIABLE = 'none'

const PACKAGE_MAIN = /^package\s+main\b/m
// Enough of a file to pass its licence header and build constraints and reach the package clause.
const HEAD_BYTES = 8192

function packageClauseIsMain(file: string): boolean {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(HEAD_BYTES)
    return PACKAGE_MAIN.test(head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0)).toString('utf8'))
  } finally {
    closeSync(fd)
  }
}

/**
 * The main packages of the module in `moduleDir`, as package inputs (`.`, `./cmd/api`), read from the files' package
 * clauses (no go command before the inputs are checked): a few levels, nested modules and the usual clutter skipped.
 */
export function findMainPackages(moduleDir: string, depth = 4): string[] {
  const found: string[] = []
  const visit = (folder: string, level: number) => {
    const entries = readdirSync(folder, { withFileTypes: true })
    if (entries.some(e => e.isFile() && e.name.endsWith('.go') && !e.name.endsWith('_test.go') && packageClauseIsMain(path.join(folder, e.name)))) {
      const relative = path.relative(moduleDir, folder)
      found.push(relative === '' ? '.' : `./${relative.split(path.sep).join('/')}`)
    }
    if (level >= depth) return
    for (const entry of entries) {
      if (!entry.isDirectory() || SKIPPED.has(entry.name) || entry.name.startsWith('.') || entry.name.startsWith('_')) continue
      const child = path.join(folder, entry.name)
      if (!existsSync(path.join(child, 'go.mod'))) visit(child, level + 1)
    }
  }
  visit(moduleDir, 0)
  return found.sort()
}

/** A module folder as the working-directory error names it, with its main packages when `package` has to be set too. */
function moduleChoice(workspace: string, dir: string): string {
  const name = `"${path.relative(workspace, dir) || '.'}"`
  const mains = findMainPackages(dir)
  if (mains.length === 0) return `${name} (no main package found)`
  if (mains.length === 1) return name
  return `${name} (main packages ${mains.join(', ')}: set package to one of them too)`
}

export const MAX_TIMER_SECONDS = 2147483

// What a version or build may hold: it goes into -X, an OCI label and the default tag.
export const SAFE_VALUE = /^[\w.+~/-]{1,128}$/
export const SAFE_VALUE_RULE = 'may hold letters, digits and . _ + ~ / - only (at most 128): it goes into the binary, a label and the tag'

export function portProblem(port: string): string | undefined {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/.exec(port)
  if (!match) return `expose "${port}" is not a port like 3000, 3000/tcp or 8000-8010/udp`
  const [low, high] = [Number(match[1]), Number(match[2] ?? match[1])]
  if (low < 1 || high > 65535) return `expose "${port}" is out of range: ports are 1 to 65535`
  if (high < low) return `expose "${port}" is a range that ends before it starts`
  return undefined
}

/**
 * As docker/build-push-action does for a push: full provenance for a public repository, minimal for any other (a
 * private one, or one the event does not say), since mode=max records the build's inputs.
 */
export function defaultProvenance(eventPath: string | undefined): string {
  let isPrivate: unknown
  try {
    isPrivate =
      eventPath && existsSync(eventPath)
        ? (JSON.parse(readFileSync(eventPath, 'utf8')) as { repository?: { private?: unknown } }).repository?.private
        : undefined
  } catch {
    isPrivate = undefined
  }
  return isPrivate === false ? 'mode=max' : 'mode=min'
}

/**
 * Empty is ko's default: an SBOM with every push, none otherwise. true and false say so; buildkit, or BuildKit's own
 * key=value attributes, hand the job to buildx, whose scanner runs as an image it pulls.
 */
export function parseSbom(text: string, push: boolean): SbomChoice {
  const value = text.toLowerCase()
  if (value === '') return push ? { kind: 'build-info' } : { kind: 'off' }
  if (value === 'true' || value === '1') return { kind: 'build-info' }
  if (value === 'false' || value === '0') return { kind: 'off' }
  if (value === 'buildkit') return { kind: 'buildkit', value: 'true' }
  if (text.includes('=') && !attestationProblem('sbom', text)) return { kind: 'buildkit', value: text }
  throw new Error(
    `sbom "${shown(text)}" must be true (an SPDX SBOM made from the binary's build info), false, buildkit (BuildKit's scanner, run as an image it pulls), or BuildKit's key=value attributes like generator=<image>`
  )
}

/** buildx's --provenance and --sbom: true/false, or comma-separated key=value attributes (mode=min|max, …). */
export function attestationProblem(name: 'provenance' | 'sbom', value: string): string | undefined {
  if (value === '' || /^(true|false|1|0)$/i.test(value)) return undefined
  const pairs = value.split(',').map(pair => pair.split('='))
  // buildx reads the value as CSV: a quote, a space or a line break in a value would change what the other fields say.
  if (pairs.some(pair => pair.length !== 2 || !/^[a-z][a-z-]*$/.test(pair[0]) || !/^[\w./:@+-]+$/.test(pair[1]))) {
    return `${name} "${value}" must be true, false, or key=value attributes like ${name === 'provenance' ? 'mode=max' : 'generator=<image>'}`
  }
  const mode = pairs.find(pair => pair[0] === 'mode')
  if (mode && !['min', 'max'].includes(mode[1])) return `${name} "${value}": mode must be min or max`
  return undefined
}

/** Labels, one `key=value` a line; every bad line is reported, none dropped (not even one starting with #). */
export function parseLabels(text: string, problems: string[]): Array<[string, string]> {
  const labels: Array<[string, string]> = []
  for (const line of text
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(Boolean)) {
    const eq = line.indexOf('=')
    const key = eq > 0 ? line.slice(0, eq).trim() : ''
    if (!key) problems.push(`label "${line}" is not of the form key=value`)
    else if (!/^[A-Za-z0-9][\w./-]*$/.test(key))
      problems.push(`label "${line}": the key must start with a letter or digit and hold letters, digits and . _ / - only`)
    else labels.push([key, line.slice(eq + 1).trim()])
  }
  return labels
}

/** Masked in the log from the start, so that a server echoing it back cannot leak it. */
function secret(token: string): string {
  if (token) core.setSecret(token)
  return token
}

/** The module path from go.mod: the default binary name is its last element. */
export function readModulePath(goMod: string): string | undefined {
  return /^\s*module\s+"?([^\s"]+)"?/m.exec(goMod)?.[1]
}

export function defaultBinaryName(modulePath: string): string {
  const parts = modulePath.split('/')
  // example.com/tool/v2 is named tool, as `go install` names it.
  if (parts.length > 1 && /^v\d+$/.test(parts[parts.length - 1])) parts.pop()
  return parts[parts.length - 1]
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

export function readSettings(input: InputReader = readActionInput, env: NodeJS.ProcessEnv = process.env): Settings {
  const reading = openReading(input, env)
  const { problems } = reading
  const build = readBuild(reading)
  const publish = readPublish(reading, build)
  // Read once: the comparison needs to know there is one, the GitHub context carries it.
  const pullRequest = reading.attempt(() => readPullRequest(env.GITHUB_EVENT_PATH), undefined)
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

/** The module's path from its go.mod, or a problem that says where the module is. */
function readModule({ problems, workspace }: Reading, workingDirectory: string): string {
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory()) {
    problems.push(`working-directory "${workingDirectory}" does not exist`)
    return ''
  }
  if (!existsSync(path.join(workingDirectory, 'go.mod'))) {
    const found = findGoMods(workingDirectory)
    problems.push(
      `working-directory "${workingDirectory}" has no go.mod: ` +
        (found.length > 0
          ? `set working-directory to the module root, one of ${found.map(dir => moduleChoice(workspace, dir)).join(', ')}`
          : 'no go.mod was found below it either; point it at the Go module root')
    )
    return ''
  }
  const modulePath = readModulePath(readFileSync(path.join(workingDirectory, 'go.mod'), 'utf8')) ?? ''
  if (!modulePath) problems.push(`${path.join(workingDirectory, 'go.mod')} has no module line`)
  return modulePath
}

function readBuild(reading: Reading): BuildSettings {
  const { get, attempt, problems } = reading
  const workingDirectory = path.resolve(reading.workspace, get('working-directory'))
  const modulePath = readModule(reading, workingDirectory)
  let binaryName = get('binary-name') || (modulePath ? defaultBinaryName(modulePath) : 'app')
  const binaryProblem = binaryNameProblem(binaryName)
  if (binaryProblem) {
    problems.push(binaryProblem)
    binaryName = 'app'
  }
  const packageWhy = packageProblem(get('package'))
  if (packageWhy) problems.push(packageWhy)
  const [versionVariable, buildVariable] = [get('version-variable'), get('build-variable')]
  for (const [name, value] of [
    ['version-variable', versionVariable],
    ['build-variable', buildVariable]
  ]) {
    if (value !== NO_VARIABLE && !/^[\w./-]+\.[A-Za-z_]\w*$/.test(value))
      problems.push(`${name} "${value}" must name a package-level string variable, like main.Version, or be none (the program has no such variable)`)
  }
  const [version, build] = [get('version') || undefined, get('build') || undefined]
  for (const [name, value] of [
    ['version', version],
    ['build', build]
  ] as const) {
    if (value !== undefined && !SAFE_VALUE.test(value)) problems.push(`${name} "${value}" ${SAFE_VALUE_RULE}`)
  }
  const ldflags = get('ldflags')
  attempt(() => splitFields(ldflags, 'ldflags'), [])
  const buildFlags = attempt(() => splitFields(get('build-flags'), 'build-flags'), [])
  problems.push(...buildFlagsProblems(buildFlags))
  const platforms = readPlatforms(reading)
  return { workingDirectory, package: get('package'), binaryName, version, build, versionVariable, buildVariable, ldflags, buildFlags, platforms }
}

function readPlatforms({ get, attempt, problems }: Reading): Platform[] {
  const texts = parseList(get('platforms'), { commas: true })
  if (texts.length === 0) problems.push('platforms is empty: give at least one, e.g. linux/amd64')
  const platforms = texts.map(text => attempt(() => parsePlatform(text), undefined)).filter(p => p !== undefined)
  const duplicate = platforms.find((p, i) => platforms.findIndex(q => q.id === p.id) !== i)
  if (duplicate) problems.push(`platforms lists ${duplicate.id} twice`)
  return platforms
}

function readPack({ get, problems }: Reading): PackSettings {
  const upxText = get('upx').toLowerCase()
  const upx = (UPX_LEVELS as readonly string[]).includes(upxText) ? (upxText as UpxLevel) : 'off'
  if (upx !== upxText) problems.push(`upx "${upxText}" is not a level: use one of ${UPX_LEVELS.join(', ')}`)
  const upxInstall: UpxInstall = {
    version: get('upx-version'),
    url: get('upx-download-url') || UPX_RELEASE_URL,
    sha256: get('upx-sha256').toLowerCase() || undefined
  }
  if (!/^\d+\.\d+\.\d+$/.test(upxInstall.version)) problems.push(`upx-version "${upxInstall.version}" must be a release number like 4.2.4`)
  if (upxInstall.sha256 && !/^[0-9a-f]{64}$/.test(upxInstall.sha256)) problems.push('upx-sha256 must be 64 hex digits (the SHA-256 of the archive)')
  if (!/^https?:\/\//.test(upxInstall.url)) problems.push(`upx-download-url "${upxInstall.url}" must be an http(s) URL`)
  return { upx, upxInstall }
}

function readStage({ get, attempt, problems, workspace }: Reading): StageSettings {
  const expose = parseList(get('expose'), { commas: true }).flatMap(e => e.split(/\s+/))
  for (const port of expose) {
    const problem = portProblem(port)
    if (problem) problems.push(problem)
  }
  const workdir = get('workdir')
  const workdirWhy = workdirProblem(workdir)
  if (workdirWhy) problems.push(workdirWhy)
  return {
    compression: attempt(() => parseCompression(get('compression'), get('compression-level')), { kind: 'gzip' } as Compression),
    finalStage: attempt(() => parseFinalStage(get('final-stage')), { kind: 'scratch', nonroot: false } as FinalStage),
    expose,
    args: attempt(() => splitFields(get('args'), 'args'), []),
    workdir,
    files: parseList(get('files'), { commas: false })
      .map(line => attempt(() => parseFile(line, workspace), undefined))
      .filter(f => f !== undefined),
    tzdata: attempt(() => parseBoolean('tzdata', get('tzdata')), false),
    labels: parseLabels(get('labels'), problems)
  }
}

function readPublish(reading: Reading, build: BuildSettings): PublishSettings {
  const { get, attempt, problems } = reading
  const image = get('image') || (reading.env.GITHUB_REPOSITORY ?? build.binaryName).toLowerCase()
  if (!isRepository(image))
    problems.push(`image "${shown(image)}" is not a valid repository name (lower case, at most ${MAX_NAME} characters, like ghcr.io/owner/name)`)
  const tags = parseList(get('tags'), { commas: true })
  for (const tag of tags) {
    if (!isImageReference(tag)) problems.push(`tag "${shown(tag)}" is not a valid image reference, like ghcr.io/owner/name:1.2.3`)
    else if (tag.includes('@')) problems.push(`tag "${tag}" holds a digest: a tag names what is pushed, drop the @sha256:… part`)
  }
  const load = attempt(() => parseBoolean('load', get('load')), true)
  const push = attempt(() => parseBoolean('push', get('push')), false)
  const byDigest = attempt(() => parseBoolean('push-by-digest', get('push-by-digest')), false)
  if (byDigest) problems.push(...byDigestProblems(push, tags, get('image')))
  else if (push && tags.length === 0) {
    problems.push(
      "push is true but tags is empty: pass the references to publish, like ghcr.io/owner/app:1.2.3 (docker/metadata-action's tags output works as is)"
    )
  }
  const provenanceText = get('provenance')
  const provenanceWhy = attestationProblem('provenance', provenanceText)
  if (provenanceWhy) problems.push(provenanceWhy)
  const provenance = provenanceText || (push ? { pushed: defaultProvenance(reading.env.GITHUB_EVENT_PATH) } : '')
  const sbom = attempt(() => parseSbom(get('sbom'), push), { kind: 'off' } as SbomChoice)
  return { image, tags, load, push, byDigest, annotations: readAnnotations(reading, build.platforms.length), provenance, sbom }
}

/** push-by-digest is how a push is made, push whether: both, to a repository named outright, with no tags to ignore. */
function byDigestProblems(push: boolean, tags: string[], image: string): string[] {
  const problems: string[] = []
  if (!push) problems.push('push-by-digest is true but push is false: set push: true as well (push-by-digest only says how to push)')
  if (tags.length > 0)
    problems.push(
      `push-by-digest pushes to image by digest only, untagged, so tags (${shown(tags.join(', '))}) would be ignored: leave tags empty; the job that merges the digests tags the index`
    )
  if (!image) problems.push('push-by-digest needs image: the repository the digests go to, like ghcr.io/owner/app')
  return problems
}

/** Where a push goes: every tag, or (push-by-digest) the image's repository, by digest only. */
export const pushTargets = (publish: PublishSettings): string[] => (publish.byDigest ? [publish.image] : publish.tags)

function readAnnotations({ get, problems }: Reading, platformCount: number): string[] {
  const annotations = parseList(get('annotations'), { commas: false })
  for (const annotation of annotations) {
    if (!/^([a-z-]+(\[[^\]]+\])?(,[a-z-]+(\[[^\]]+\])?)*:)?[^=\s]+=/.test(annotation))
      problems.push(`annotation "${annotation}" is not of the form [type:]key=value`)
    else if (/^[^=]*\bindex\b[^=]*:/.test(annotation) && platformCount < 2)
      problems.push(`annotation "${annotation}" is for an image index, which one platform does not make: use manifest: instead, or build two or more platforms`)
  }
  return annotations
}

function readEngine({ get, problems }: Reading): EngineSettings {
  const builder = get('builder')
  const builderWhy = builderProblem(builder)
  if (builderWhy) problems.push(builderWhy)
  return { builder }
}

function readSmoke({ get, attempt, problems }: Reading): SmokeSettings {
  const text = get('smoke-test')
  const command = text ? attempt(() => splitFields(text, 'smoke-test'), undefined) : undefined
  const timeoutText = get('smoke-test-timeout')
  const timeoutSeconds = Number(timeoutText)
  if (!(timeoutSeconds > 0)) problems.push(`smoke-test-timeout "${timeoutText}" must be a positive number of seconds`)
  // Node's timers hold at most 2^31-1 ms; a longer one would fire at once.
  else if (timeoutSeconds > MAX_TIMER_SECONDS)
    problems.push(`smoke-test-timeout "${timeoutText}" is over ${MAX_TIMER_SECONDS} seconds (24 days): give a shorter one`)
  return { command, timeoutSeconds }
}

function readCompare({ get, attempt, problems, env }: Reading, pullRequest: boolean): CompareSettings {
  const compare = get('compare').toLowerCase()
  const baselineImage = get('baseline-image')
  const baseRef = get('base-ref') || undefined
  let baseline: Baseline = { kind: 'off' }
  if (!['auto', 'build', 'off'].includes(compare)) problems.push(`compare "${compare}" must be auto, build or off`)
  if (baselineImage && !isImageReference(baselineImage)) problems.push(`baseline-image "${shown(baselineImage)}" is not a valid image reference`)
  const baseRefWhy = baseRef === undefined ? undefined : baseRefProblem(baseRef)
  if (baseRefWhy) problems.push(baseRefWhy)
  const comparing = compare === 'build' || (compare === 'auto' && (PULL_REQUEST_EVENTS.includes(env.GITHUB_EVENT_NAME ?? '') || baseRef !== undefined))
  if (comparing) {
    if (baselineImage) baseline = { kind: 'image', reference: baselineImage }
    else if (baseRef || pullRequest) baseline = { kind: 'build', ref: baseRef }
    else problems.push('compare: build needs something to compare with: run on a pull_request event, or set base-ref (a branch or commit) or baseline-image')
  }
  return { baseline, cache: attempt(() => parseBoolean('baseline-cache', get('baseline-cache')), true) }
}

export function readComment({ get, attempt, problems }: Reading): CommentSettings {
  const timeoutText = get('comment-timeout')
  const timeoutSeconds = Number(timeoutText)
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 3600)) problems.push(`comment-timeout "${timeoutText}" must be a number of seconds from 1 to 3600`)
  const key = get('comment-key')
  if (!/^[\w.-]+$/.test(key)) problems.push(`comment-key "${key}" may hold letters, digits, . _ - only`)
  return { enabled: attempt(() => parseBoolean('comment', get('comment')), true), key, timeoutSeconds, token: secret(get('github-token')) }
}

export function readBudget({ get, attempt }: Reading): Budget {
  const [maxSizeText, maxIncreaseText] = [get('max-size'), get('max-increase')]
  return {
    maxSize: maxSizeText ? attempt(() => parseSize(maxSizeText, 'max-size'), undefined) : undefined,
    maxIncrease: maxIncreaseText ? attempt(() => parseIncrease(maxIncreaseText, 'max-increase'), undefined) : undefined
  }
}

/** The run's GitHub context, with the pull request of the event file. */
export function readGitHub({ env }: Reading, pullRequest: PullRequest | undefined): GitHubContext {
  return {
    repository: env.GITHUB_REPOSITORY,
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    ref: env.GITHUB_REF,
    refName: env.GITHUB_REF_NAME,
    eventName: env.GITHUB_EVENT_NAME,
    pullRequest
  }
}

/** The same settings with some of what go build reads changed. */
export const withBuild = (settings: Settings, changed: Partial<BuildSettings>): Settings => ({ ...settings, build: { ...settings.build, ...changed } })

/** The settings for the main package preflight found: `go build` names the binary after its import path. */
export function withMainPackage(settings: Settings, main: { package: string; importPath: string }): Settings {
  const binaryName = settings.derived.includes('binary-name') ? defaultBinaryName(main.importPath) : settings.build.binaryName
  const image = settings.derived.includes('image') && !settings.github.repository ? binaryName.toLowerCase() : settings.publish.image
  return { ...withBuild(settings, { package: main.package, binaryName }), publish: { ...settings.publish, image } }
}
