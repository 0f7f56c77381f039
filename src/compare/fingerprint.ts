import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { type Engine, stageOf, treeDigest, writeStageFiles } from '../image/index.js'
import { execute } from '../process/index.js'
import { IMAGE_SHAPING, type Settings } from '../settings/index.js'

/**
 * Variables the go command reads that change what it links (the toolchain itself is left out: a base measured
 * with another Go release is still compared, and the report names the toolchain as a cause).
 */
export const GO_BUILD_ENV = ['GOFLAGS', 'GOEXPERIMENT', 'GOAMD64', 'GOARM', 'GOARM64', 'GO386', 'GOPPC64', 'GORISCV64', 'GOMIPS', 'GOMIPS64', 'GOFIPS140']

/**
 * What shapes the image besides the commit, as plain data: everything here is hashed into the cache key. The
 * settings' image-shaping groups as they are (a setting added to one is in the key without anyone listing it), with
 * the runner's paths made relative to the repository, and what the settings alone do not say.
 */
export interface ImageShape {
  settings: Pick<Settings, (typeof IMAGE_SHAPING)[number]>
  /** Go's build variables, as the go command sees them. */
  goEnv: Record<string, string>
  /** SHA-256 of the UPX executable: another release packs to another size. */
  upxTool?: string
  /** The Dockerfile and every file the action adds (CA bundle, tzdata, files), by content. */
  stage: string
  /** A final stage on an image: the image as the builder resolved it. */
  baseImage?: string
  /** Reaches the image's source label. */
  source?: string
  /** How the image was measured: the docker-save route gzips the layers itself. */
  route: Engine['route']
}

/** The key's fingerprint: 32 hex digits of SHA-256 over the shape. */
export function fingerprintOf(shape: ImageShape): string {
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 32)
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(file), hash)
  return hash.digest('hex')
}

async function goEnv(cwd: string): Promise<Record<string, string>> {
  const outcome = await execute({ program: 'go', args: ['env', '-json', ...GO_BUILD_ENV], cwd }, { quiet: true })
  return JSON.parse(outcome.stdout) as Record<string, string>
}

/** The stage the action would write, hashed by content; written in a folder of its own, removed after. */
async function stageDigest(settings: Settings, workDir: string): Promise<string> {
  const dir = path.join(workDir, 'fingerprint-stage')
  try {
    await writeStageFiles(stageOf(settings), dir)
    return await treeDigest(dir, { times: false })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Which image of the repository a history follows, whatever its settings: the module's folder and the main package.
 * 12 hex digits of SHA-256, the first part of its keys.
 */
export function lineageOf(settings: Pick<Settings, 'build'>, top: string): string {
  const folder = path.relative(top, settings.build.workingDirectory) || '.'
  return createHash('sha256')
    .update(JSON.stringify({ folder, package: settings.build.package }))
    .digest('hex')
    .slice(0, 12)
}

/** The groups that shape the image, with every path under the repository made relative to it (runners differ there). */
export function shapingGroups(settings: Settings, top: string): ImageShape['settings'] {
  const groups = Object.fromEntries(IMAGE_SHAPING.map(name => [name, settings[name]]))
  const relative = (_key: string, value: unknown) =>
    typeof value === 'string' && (value === top || value.startsWith(`${top}${path.sep}`)) ? path.relative(top, value) || '.' : value
  return JSON.parse(JSON.stringify(groups, relative)) as ImageShape['settings']
}

/** Reads what shapes the image from the settings, the engine, the Go environment and the files it adds. */
export async function imageShape(settings: Settings, engine: Engine, upx: string | undefined, top: string, workDir: string): Promise<ImageShape> {
  const [goVars, stage, upxTool] = await Promise.all([
    goEnv(settings.build.workingDirectory),
    stageDigest(settings, workDir),
    upx && settings.pack.upx !== 'off' ? sha256File(upx) : undefined
  ])
  const { repository, serverUrl } = settings.github
  return {
    settings: shapingGroups(settings, top),
    goEnv: goVars,
    upxTool,
    stage,
    baseImage: engine.baseImage,
    source: repository ? `${serverUrl}/${repository}` : undefined,
    route: engine.route
  }
}
