import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Engine } from './buildx.js'
import { execute } from './runner.js'
import type { Settings } from './settings.js'
import { treeDigest, writeStageFiles } from './stage.js'

/**
 * Variables the go command reads that change what it links (the toolchain itself is left out: a base measured
 * with another Go release is still compared, and the report names the toolchain as a cause).
 */
export const GO_BUILD_ENV = ['GOFLAGS', 'GOEXPERIMENT', 'GOAMD64', 'GOARM', 'GOARM64', 'GO386', 'GOPPC64', 'GORISCV64', 'GOMIPS', 'GOMIPS64', 'GOFIPS140']

/** What shapes the image besides the commit, as plain data: everything here is hashed into the cache key. */
export interface ImageShape {
  module: string
  package: string
  binaryName: string
  /** Explicit version and build inputs: without them both follow the commit. */
  version?: string
  build?: string
  versionVariable: string
  buildVariable: string
  ldflags: string
  buildFlags: string[]
  goEnv: Record<string, string>
  platforms: string[]
  upx: string
  /** SHA-256 of the UPX executable: another release packs to another size. */
  upxTool?: string
  compression: Settings['compression']
  /** The Dockerfile and every file the action adds (CA bundle, tzdata, files), by content. */
  stage: string
  /** A final stage on an image: the image as the builder resolved it. */
  baseImage?: string
  labels: Array<[string, string]>
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
    await writeStageFiles(settings, dir)
    return await treeDigest(dir, { times: false })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Reads what shapes the image from the settings, the engine, the Go environment and the files it adds. */
export async function imageShape(settings: Settings, engine: Engine, upx: string | undefined, top: string, workDir: string): Promise<ImageShape> {
  const [goVars, stage, upxTool] = await Promise.all([
    goEnv(settings.workingDirectory),
    stageDigest(settings, workDir),
    upx && settings.upx !== 'off' ? sha256File(upx) : undefined
  ])
  const { repository, serverUrl } = settings.github
  return {
    module: path.relative(top, settings.workingDirectory) || '.',
    package: settings.package,
    binaryName: settings.binaryName,
    version: settings.version,
    build: settings.build,
    versionVariable: settings.versionVariable,
    buildVariable: settings.buildVariable,
    ldflags: settings.ldflags,
    buildFlags: settings.buildFlags,
    goEnv: goVars,
    platforms: settings.platforms.map(p => p.id),
    upx: settings.upx,
    upxTool,
    compression: settings.compression,
    stage,
    baseImage: engine.baseImage,
    labels: settings.labels,
    source: repository ? `${serverUrl}/${repository}` : undefined,
    route: engine.route
  }
}
