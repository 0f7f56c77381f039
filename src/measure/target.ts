import path from 'node:path'
import { type Injection, linkBinaries, type LinkFacts, type Linking, type Shipped, type TwinFindings, type VersionInfo } from '../build/index.js'
import {
  attachSboms,
  attestationsOf,
  BINARY_DIR,
  buildImage,
  buildInfoSboms,
  compressedByBuildKit,
  contextBinaryPath,
  imageTags,
  packBinaries,
  pinTimes,
  recompressLayout,
  sealContext,
  stageOf,
  verifyImageBinaries,
  writeStageFiles,
  type BuildxMetadata,
  type Engine,
  type Packed
} from '../image/index.js'
import type { Phase } from '../process/index.js'
import { withBuild, ZSTD_LEVEL, type Settings } from '../settings/index.js'
import { layoutFromEngine, measureLayout, type Measurement } from './image-size.js'
import { info } from '../process/index.js'

export interface TargetInput {
  settings: Settings
  facts: LinkFacts
  version: VersionInfo
  engine: Engine
  upx: string | undefined
  workDir: string
  started: Date
  phase: Phase
  /** The first links, already started (preflight starts the head's); without it they are started here. */
  linking?: Promise<Linking>
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
  /** Per platform, the predicate types of its attestations (SBOM, provenance): carried beside it, never in its size. */
  attestations: Array<{ platform: string; predicates: string[] }>
}

/** Static binaries → UPX → final stage → one image build, measured and checked: the same for the change and its base. */
export async function buildTarget(input: TargetInput): Promise<Target> {
  const { version, workDir, phase } = input
  const linking = await phase(
    'go build',
    () => input.linking ?? linkBinaries(input.settings.build, version, workDir, input.facts, input.base ? 'symbols' : 'none')
  )
  // The -X targets were settled before the links: the image is built once, with the build as linked.
  const settings = withBuild(input.settings, linking.build)
  const image = await buildImageOf(input, settings, linking.shipped).catch(async (error: unknown) => {
    await linking.findings.catch(() => undefined)
    throw error
  })
  const findings = await phase('symbols', async () => {
    const read = await linking.findings
    read.twins.forEach((twin, i) => info(`${linking.shipped[i].platform.id}: the unstripped twin has ${twin.unstrippedSize} bytes`))
    return read
  })
  return target(image, findings)
}

type Image = Omit<Target, 'packed' | 'injections' | 'needsSystemRoots' | 'attributionMs'> & { packed: Packed<Shipped>[] }

function target(image: Image, findings: TwinFindings): Target {
  const packed = image.packed.map((p, i) => ({ ...p, binary: { ...p.binary, ...findings.twins[i] } }))
  return { ...image, packed, injections: findings.injections, needsSystemRoots: findings.needsSystemRoots, attributionMs: findings.attributionMs }
}

/** UPX → final stage → one image build, measured and checked for the binaries. */
async function buildImageOf(input: TargetInput, settings: Settings, shipped: Shipped[]): Promise<Image> {
  const { version, workDir, phase } = input
  const staging = path.join(workDir, 'context')
  // With gzip layers, what zstd would make of the plain binary is measured beside UPX: the road not taken.
  const zstdLevel = settings.stage.compression.kind === 'gzip' ? ZSTD_LEVEL : undefined
  const staged = await phase('upx', () =>
    packBinaries(shipped, settings.pack.upx, input.upx, b => contextBinaryPath(staging, b.platform, settings.build.binaryName), zstdLevel)
  )
  const dockerfileName = path.basename(await writeStageFiles(stageOf(settings), staging))
  if (version.commitTime !== undefined) await pinTimes(staging, version.commitTime)
  const contextDir = await sealContext(staging)
  const packed = staged.map(p => ({ ...p, path: path.join(contextDir, path.relative(staging, p.path)) }))
  const tags = imageTags(settings, version)
  const layout = path.join(workDir, 'oci')
  const inEngine = input.engine.route === 'docker-save'
  const { metadata } = await phase('buildx build', () =>
    buildImage({
      settings,
      buildx: input.engine.buildx,
      version,
      contextDir,
      dockerfile: path.join(contextDir, dockerfileName),
      metadataFile: path.join(workDir, 'metadata.json'),
      exporter: inEngine ? { kind: 'load' } : { kind: 'oci', dest: layout },
      now: input.started
    })
  )
  if (inEngine) await phase('docker save', () => layoutFromEngine(tags[0], settings.build.platforms[0].id, workDir, layout))
  if (!compressedByBuildKit(settings.stage.compression)) await phase('compress', () => recompressLayout(layout, settings.stage.compression))
  // The base is only compared: it gets no SBOM.
  if (settings.publish.sbom.kind === 'build-info' && !input.base) {
    const sbom = { settings, version, packed, baseDigest: input.engine.baseImage }
    await phase('sbom', async () => attachSboms(layout, tags[0], await buildInfoSboms(sbom)))
  }
  const measurement = await phase('measure', async () => {
    const file = `${BINARY_DIR}/${settings.build.binaryName}`
    // The base is only compared: its image is not checked for the binary.
    const measured = await measureLayout(layout, input.engine.route, input.base ? undefined : file)
    if (!input.base)
      await verifyImageBinaries(
        measured.images,
        packed.map(p => ({ platform: p.binary.platform.id, path: p.path })),
        file
      )
    return measured
  })
  return { packed, layout, measurement, metadata, tags, inEngine, attestations: await attestationsOf(layout) }
}
