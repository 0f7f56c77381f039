import { type Platform } from '../process/index.js'
import { type Budget } from './budget.js'

// The settings' types, one group per stage that reads them, and the constants their readers share.

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
  /** A push's `before`: the branch's previous head, whose stored measurement a push may scale from. */
  before?: string
}

/** version-variable or build-variable `none`: the program has no such variable, and nothing is injected or warned of. */
export const NO_VARIABLE = 'none'

export interface ExtraFile {
  /** Absolute path on the runner. */
  source: string
  /** Absolute path in the image. */
  destination: string
}
