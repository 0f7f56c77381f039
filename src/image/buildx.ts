import { readFile } from 'node:fs/promises'
import type { VersionInfo } from '../build/index.js'
import { CommandError, execute, info, type Plan } from '../process/index.js'
import { type PublishSettings, type Settings, shown } from '../settings/index.js'

/** How the image leaves buildx: an OCI layout we can read exactly, or only the engine's store. */
export type MeasureRoute = 'oci' | 'docker-save'

export interface Engine {
  serverVersion: string
  buildxVersion: string
  /** The buildx plugin's own binary: run directly, it skips the docker CLI's start and its plugin scan (tens of ms each). */
  buildx: string
  driver: string
  /** The engine stores images in containerd (multi-platform images, OCI export with the docker driver). */
  containerdStore: boolean
  route: MeasureRoute
  /** A final stage on an image: that image as the builder resolved it (its ID or digest), part of what shapes the image. */
  baseImage?: string
}

/**
 * Where the one buildx invocation sends the image: an OCI layout (measured, loaded and pushed from there), or the
 * engine's store when the builder cannot export OCI (then saved from there into a layout).
 */
export type Exporter = { kind: 'oci'; dest: string } | { kind: 'load' }

export interface BuildxMetadata {
  'containerimage.digest'?: string
  'containerimage.config.digest'?: string
  'containerimage.descriptor'?: { digest: string; mediaType: string; size: number }
  'image.name'?: string
  [key: string]: unknown
}

// One field (`--builder=NAME`): the name can never be read as a flag of its own.
const builderArgs = (builder: string) => (builder ? [`--builder=${builder}`] : [])

/** The server's version, its image store and the CLI's plugins (buildx among them) in one docker CLI start. */
export const infoPlan: Plan = {
  program: 'docker',
  args: ['info', '--format', '{"server":{{json .ServerVersion}},"driverStatus":{{json .DriverStatus}},"plugins":{{json .ClientInfo.Plugins}}}']
}

export const inspectPlan = (buildx: string, builder: string): Plan => ({ program: buildx, args: ['inspect', ...builderArgs(builder)] })

interface CliPlugin {
  Name: string
  Path?: string
  Version?: string
  Err?: string
}

export interface DockerInfo {
  serverVersion: string
  containerdStore: boolean
  buildx: { path: string; version: string }
}

/** Reads `infoPlan`'s answer, or says which piece is missing: the daemon first, then buildx. */
export function parseDockerInfo(code: number, stdout: string, stderr: string): DockerInfo {
  let info: { server?: string; driverStatus?: string[][] | null; plugins?: CliPlugin[] | null } = {}
  try {
    info = JSON.parse(stdout) as typeof info
  } catch {
    // docker info prints nothing it can format when the daemon is unreachable: that is reported below.
  }
  // docker info exits 0 with an empty version when it cannot reach the daemon (the errors go to stderr).
  if (code !== 0 || !info.server) {
    throw new Error(
      `no Docker daemon answers (${(stderr.trim().split('\n').pop() ?? '').trim()}): run on a runner with Docker ` +
        '(ubuntu-latest has it), or start one before this step'
    )
  }
  const plugin = (info.plugins ?? []).find(p => p.Name === 'buildx')
  if (!plugin?.Path) throw new Error('docker buildx is not installed: add docker/setup-buildx-action before this step')
  if (plugin.Err) throw new Error(`docker buildx at ${plugin.Path} does not run (${plugin.Err}): add docker/setup-buildx-action before this step`)
  return {
    serverVersion: info.server,
    containerdStore: (info.driverStatus ?? []).some(([, value]) => value?.includes('io.containerd.snapshotter')),
    buildx: { path: plugin.Path, version: plugin.Version ?? 'unknown' }
  }
}

export function chooseRoute(driver: string, containerdStore: boolean): MeasureRoute {
  // The plain docker driver on the classic store cannot export OCI; every other combination can.
  return driver === 'docker' && !containerdStore ? 'docker-save' : 'oci'
}

/** Finds the engine and builder, or says exactly what is missing. Runs before any build. */
export async function inspectEngine(settings: Settings): Promise<Engine> {
  const quiet = { allowFailure: true, quiet: true }
  const answer = await execute(infoPlan, quiet)
  const info = parseDockerInfo(answer.code, answer.stdout, answer.stderr)
  const inspect = await execute(inspectPlan(info.buildx.path, settings.engine.builder), quiet)
  if (inspect.code !== 0) {
    throw new Error(`buildx builder "${settings.engine.builder || 'default'}" is not usable: ${inspect.stderr.trim()}`)
  }
  const driver = /^Driver:\s*(\S+)/m.exec(inspect.stdout)?.[1] ?? 'docker'
  const engine = {
    serverVersion: info.serverVersion,
    buildxVersion: info.buildx.version,
    buildx: info.buildx.path,
    driver,
    containerdStore: info.containerdStore,
    route: chooseRoute(driver, info.containerdStore)
  }
  const baseImage = await checkBaseImage(settings, engine)
  if (settings.build.platforms.length > 1 && engine.route === 'docker-save') {
    throw new Error(
      `building ${settings.build.platforms.length} platforms needs a builder that can hold a multi-platform image: add ` +
        'docker/setup-buildx-action before this step (or enable the containerd image store), or build one platform'
    )
  }
  return { ...engine, baseImage }
}

/**
 * A final stage on an image must find that image: in the engine's own store (the docker driver builds from it) or
 * in its registry. Checked before any build, so a typo costs seconds, not a Go build and a buildx dump.
 */
async function checkBaseImage(
  settings: Pick<Settings, 'engine' | 'stage'>,
  { driver, buildx }: Pick<Engine, 'driver' | 'buildx'>
): Promise<string | undefined> {
  const stage = settings.stage.finalStage
  if (stage.kind !== 'image') return undefined
  const quiet = { allowFailure: true, quiet: true }
  const local = () => execute({ program: 'docker', args: ['image', 'inspect', '--format', '{{.Id}}', '--', stage.base] }, quiet)
  if (driver === 'docker') {
    const found = await local()
    if (found.code === 0) return found.stdout.trim()
  }
  const remote = await execute(
    { program: buildx, args: ['imagetools', 'inspect', ...builderArgs(settings.engine.builder), '--format', '{{json .Manifest}}', stage.base] },
    quiet
  )
  if (remote.code === 0) return (JSON.parse(remote.stdout) as { digest?: string }).digest ?? remote.stdout.trim()
  const why = remote.stderr.trim().split('\n').pop() ?? ''
  // A builder of another driver runs BuildKit of its own, which never sees the engine's images: pulling does not help.
  if (driver !== 'docker' && (await local()).code === 0) {
    throw new Error(
      `final-stage "${stage.base}" is an image of this Docker engine, but the ${driver} builder${settings.engine.builder ? ` "${settings.engine.builder}"` : ' in use'} ` +
        `runs BuildKit of its own, which does not see the engine's images, and the registry has no such image (${why}): push it to a registry ` +
        "and name it there (a registry on the runner's loopback works with the builder's driver-opts network=host), or build with the docker driver (builder: default)"
    )
  }
  throw new Error(
    `final-stage "${stage.base}" is neither an image of this engine nor found in its registry (${why}): ` +
      'fix the name, log in to the registry before this step, or pull or build the image first'
  )
}

/** Docker tags allow [A-Za-z0-9_.-], at most 128, not starting with . or -. */
export function tagSafe(text: string): string {
  return (
    text
      .replace(/[^\w.-]/g, '-')
      .replace(/^[.-]+/, '')
      .slice(0, 128) || 'latest'
  )
}

export function imageTags(settings: Pick<Settings, 'publish'>, version: VersionInfo): string[] {
  return settings.publish.tags.length > 0 ? settings.publish.tags : [`${settings.publish.image}:${tagSafe(version.version)}`]
}

/** OCI labels first so that the user's labels, given later, win. */
export function imageLabels(settings: Pick<Settings, 'build' | 'github' | 'stage'>, version: VersionInfo, now: Date): Array<[string, string]> {
  const created = version.commitTime !== undefined ? new Date(version.commitTime * 1000) : now
  const labels = new Map<string, string>([
    ['org.opencontainers.image.title', settings.build.binaryName],
    ['org.opencontainers.image.version', version.version],
    ['org.opencontainers.image.revision', version.build],
    ['org.opencontainers.image.created', created.toISOString()]
  ])
  if (settings.github.repository) labels.set('org.opencontainers.image.source', `${settings.github.serverUrl}/${settings.github.repository}`)
  for (const [key, value] of settings.stage.labels) labels.set(key, value)
  return [...labels]
}

/**
 * One field of a buildx CSV option (--output): buildx reads it with Go's encoding/csv, so a field holding a comma or
 * a quote is quoted whole, its quotes doubled (a RUNNER_TEMP with a comma stays one path).
 */
export function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field
}

export function exporterArgs(exporter: Exporter): string[] {
  switch (exporter.kind) {
    case 'oci':
      return ['--output', ['type=oci', csvField(`dest=${exporter.dest}`), 'tar=false'].join(',')]
    case 'load':
      return ['--output', 'type=docker']
  }
}

export interface BuildPlanInput {
  settings: Settings
  /** The buildx binary (Engine.buildx). */
  buildx: string
  version: VersionInfo
  contextDir: string
  dockerfile: string
  metadataFile: string
  exporter: Exporter
  now: Date
  /** Overrides settings.build.platforms (the host-only rebuild for a smoke test). */
  platforms?: string[]
}

/**
 * The provenance asked for; by default a push's, as docker/build-push-action adds it, except to an image the docker
 * exporter loads (the classic store's docker driver holds no attestations: buildx refuses them there).
 */
function provenanceArgs(provenance: PublishSettings['provenance'], exporter: Exporter): string[] {
  if (typeof provenance === 'string') return provenance ? [`--provenance=${provenance}`] : []
  return exporter.kind === 'oci' ? [`--provenance=${provenance.pushed}`] : []
}

export function buildPlan(input: BuildPlanInput): Plan {
  const { settings, version } = input
  const args = [
    'build',
    ...builderArgs(settings.engine.builder),
    '--platform',
    (input.platforms ?? settings.build.platforms.map(p => p.id)).join(','),
    '--file',
    input.dockerfile,
    '--metadata-file',
    input.metadataFile,
    ...imageTags(settings, version).flatMap(tag => ['--tag', tag]),
    ...imageLabels(settings, version, input.now).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    ...settings.publish.annotations.flatMap(annotation => ['--annotation', annotation]),
    ...provenanceArgs(settings.publish.provenance, input.exporter),
    // The action's own SBOM is attached to the layout afterwards: buildx is asked for one only when told to make it.
    ...(settings.publish.sbom.kind === 'buildkit' ? [`--sbom=${settings.publish.sbom.value}`] : []),
    ...exporterArgs(input.exporter),
    input.contextDir
  ]
  // buildx turns SOURCE_DATE_EPOCH into the build arg that pins image timestamps.
  const env: Record<string, string> = version.commitTime !== undefined ? { SOURCE_DATE_EPOCH: String(version.commitTime) } : {}
  // The context is a folder of the run's own, not the user's checkout: git facts buildx would look up there describe nothing.
  env.BUILDX_GIT_INFO = '0'
  return { program: input.buildx, args, env }
}

/** Untags images the engine holds only because measuring or a smoke test needed them. */
export const removeImagesPlan = (tags: string[]): Plan => ({ program: 'docker', args: ['image', 'rm', ...tags] })

export async function removeImages(tags: string[]): Promise<void> {
  await execute(removeImagesPlan(tags), { allowFailure: true, quiet: true })
}

/**
 * The containerd image store sometimes loses a layer's parent snapshot while unpacking a loaded image
 * (moby/buildkit#6521, seen on GitHub's Docker 29 runners): the build itself is done and cached, so one more
 * try unpacks it again.
 */
export const LOST_SNAPSHOT = /parent snapshot \S+ does not exist/

/**
 * buildx's --sbom runs BuildKit's scanner as an image it pulls (docker/buildkit-syft-scanner unless a generator is
 * named): a runner that cannot reach it gets one sentence, not buildx's dump.
 */
export function scannerFailure(settings: Pick<Settings, 'publish'>, stderr: string): Error | undefined {
  const scanner = /[\w./:-]*buildkit-syft-scanner[\w.:@-]*|generator=[^\s,]+/.exec(stderr)
  if (settings.publish.sbom.kind !== 'buildkit' || !scanner) return undefined
  const why = stderr
    .trim()
    .split('\n')
    .filter(line => /error|failed|denied|not found|timeout|dial/i.test(line))
    .pop()
  return new Error(
    `sbom: ${settings.publish.sbom.value === 'true' ? 'buildkit' : settings.publish.sbom.value} asks BuildKit to scan the image with its scanner image (${shown(scanner[0])}), which this builder could not run` +
      `${why ? ` (${shown(why.replace(/^[#\d\s]*(ERROR:?\s*)?/, ''), 200)})` : ''}: ` +
      "use sbom: true (an SPDX SBOM made from the binary's build info: no image is pulled), or name a scanner image the builder can pull (sbom: generator=<image>)"
  )
}

export async function buildImage(input: BuildPlanInput): Promise<{ metadata: BuildxMetadata; ms: number }> {
  const plan = buildPlan(input)
  const outcome = await execute(plan).catch(async (error: unknown) => {
    const scanner = error instanceof CommandError ? scannerFailure(input.settings, error.outcome.stderr) : undefined
    if (scanner) throw scanner
    if (!(error instanceof CommandError) || !LOST_SNAPSHOT.test(error.outcome.stderr)) throw error
    info('the engine lost a parent snapshot while unpacking the image (moby/buildkit#6521): building once more from the cache')
    return execute(plan)
  })
  const metadata = JSON.parse(await readFile(input.metadataFile, 'utf8')) as BuildxMetadata
  return { metadata, ms: outcome.ms }
}
