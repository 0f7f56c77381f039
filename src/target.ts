import path from 'node:path'
import { compressedByBuildKit, recompressLayout } from './compress.js'
import { buildImage, imageTags, type BuildxMetadata, type Engine } from './buildx.js'
import { buildBinaries, type PackageFacts } from './gobuild.js'
import { layoutFromEngine, measureLayout, type Measurement } from './measure.js'
import type { Phase } from './phase.js'
import { ZSTD_LEVEL, type Settings } from './settings.js'
import { BINARY_DIR, contextBinaryPath, pinTimes, sealContext, writeStageFiles } from './stage.js'
import type { Injection } from './symbols.js'
import { packBinaries, type Packed } from './upx.js'
import { ociLayers, verifyImageBinaries } from './verify.js'
import type { VersionInfo } from './version.js'

export interface TargetInput {
  settings: Settings
  facts: PackageFacts
  version: VersionInfo
  engine: Engine
  upx: string | undefined
  workDir: string
  started: Date
  phase: Phase
  /**
   * The base of a comparison: only its sizes and its split by package are reported, so its twin keeps the symbols
   * but no DWARF (a shorter link) and its image is not checked for the binary.
   */
  base?: boolean
}

export interface Target {
  packed: Packed[]
  injections: Injection[]
  needsSystemRoots: boolean
  attributionMs: number
  /** The image, once: an OCI layout that is measured, loaded and pushed as it is. */
  layout: string
  measurement: Measurement
  metadata: BuildxMetadata
  tags: string[]
  /** The build itself put the image into the engine under its tags (the docker-save route). */
  inEngine: boolean
}

/** Static binaries → UPX → final stage → one image build, measured and checked: the same for the change and its base. */
export async function buildTarget(input: TargetInput): Promise<Target> {
  const { settings, version, workDir, phase } = input
  const staging = path.join(workDir, 'context')
  const built = await phase('go build', () => buildBinaries(settings, version, workDir, input.facts, input.base ? 'symbols' : 'none'))
  // With gzip layers, what zstd would make of the plain binary is measured beside UPX: the road not taken.
  const zstdLevel = settings.compression.kind === 'gzip' ? ZSTD_LEVEL : undefined
  const staged = await phase('upx', () =>
    packBinaries(built.binaries, settings.upx, input.upx, b => contextBinaryPath(staging, b.platform, settings.binaryName), zstdLevel)
  )
  const dockerfileName = path.basename(await writeStageFiles(settings, staging))
  if (version.commitTime !== undefined) await pinTimes(staging, version.commitTime)
  const contextDir = await sealContext(staging)
  const packed = staged.map(p => ({ ...p, path: path.join(contextDir, path.relative(staging, p.path)) }))
  const tags = imageTags(settings, version)
  const layout = path.join(workDir, 'oci')
  const inEngine = input.engine.route === 'docker-save'
  const { metadata } = await phase('buildx build', () =>
    buildImage({
      settings,
      version,
      contextDir,
      dockerfile: path.join(contextDir, dockerfileName),
      metadataFile: path.join(workDir, 'metadata.json'),
      exporter: inEngine ? { kind: 'load' } : { kind: 'oci', dest: layout },
      now: input.started
    })
  )
  if (inEngine) await phase('docker save', () => layoutFromEngine(tags[0], settings.platforms[0].id, workDir, layout))
  if (!compressedByBuildKit(settings.compression)) await phase('compress', () => recompressLayout(layout, settings.compression))
  const measurement = await phase('measure', async () => {
    const measured = await measureLayout(layout, input.engine.route)
    if (input.base) return measured
    const images = measured.images.map(image => ({ platform: image.platform, layers: () => ociLayers(layout, image.manifestDigest) }))
    await verifyImageBinaries(
      images,
      packed.map(p => ({ platform: p.binary.platform.id, path: p.path })),
      `${BINARY_DIR}/${settings.binaryName}`
    )
    return measured
  })
  const { injections, needsSystemRoots, attributionMs } = built
  return { packed, injections, needsSystemRoots, attributionMs, layout, measurement, metadata, tags, inEngine }
}
