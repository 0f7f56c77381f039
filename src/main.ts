import * as core from '@actions/core'
import { mkdtemp } from 'node:fs/promises'
import path from 'node:path'
import { buildImage, imageTags, inspectEngine, type BuildPlanInput, type Exporter } from './buildx.js'
import { buildBinaries, inspectPackage, requireGo } from './gobuild.js'
import { measureFromEngine, measureOciLayout, type Measurement } from './measure.js'
import { hostPlatform } from './platform.js'
import { renderMarkdown, type BinaryFigures, type Report } from './report.js'
import { readSettings, type Settings } from './settings.js'
import { smokeTest } from './smoke.js'
import { contextBinaryPath, pinTimes, writeStageFiles } from './stage.js'
import { medianStartupMs, packBinaries, requireUpx, type Packed } from './upx.js'
import { explainPushFailure, readPushed } from './registry.js'
import { CommandError } from './runner.js'
import { resolveVersion } from './version.js'

export async function run(): Promise<void> {
  try {
    await pipeline()
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}

async function pipeline(): Promise<void> {
  const started = new Date()
  const settings = readSettings()
  const timings: Record<string, number> = {}
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    try {
      return await core.group(name, work)
    } finally {
      timings[name] = performance.now() - started
    }
  }
  const warnings: string[] = []
  const warn = (message: string) => {
    core.warning(message)
    warnings.push(message)
  }

  // Every tool and the package are checked before anything is built, so a broken setup fails in seconds.
  const { engine, goFacts, version, upx } = await phase('preflight', async () => {
    await requireGo()
    const upx = settings.upx === 'off' ? undefined : await requireUpx(settings.upxInstall)
    const [engine, goFacts, version] = await Promise.all([inspectEngine(settings), inspectPackage(settings), resolveVersion(settings)])
    core.info(`version ${version.version}, build ${version.build}; ${goFacts.goVersion}; docker ${engine.serverVersion}, buildx ${engine.buildxVersion}, driver ${engine.driver}, measured by ${engine.route}`)
    return { engine, goFacts, version, upx }
  })
  if (settings.finalStage.kind === 'scratch' && goFacts.needsSystemRoots) {
    warn(
      `${settings.package} uses crypto/tls, but final-stage scratch has no CA certificates, so TLS connections will fail with ` +
        '"x509: certificate signed by unknown authority". Use final-stage: scratch-nonroot (adds the runner\'s CA bundle), ' +
        'or import _ "golang.org/x/crypto/x509roots/fallback" in your main package to embed the roots.'
    )
  }

  const workDir = await mkdtemp(path.join(settings.runnerTemp, 'go-slim-image-'))
  const contextDir = path.join(workDir, 'context')
  const binaries = await phase('go build', () => buildBinaries(settings, version, workDir))
  const packed = await phase('upx', () => packBinaries(binaries, settings.upx, upx, b => contextBinaryPath(contextDir, b.platform, settings.binaryName)))
  const dockerfile = await writeStageFiles(settings, contextDir)
  if (version.commitTime !== undefined) await pinTimes(contextDir, version.commitTime)

  const host = hostPlatform()
  const hostBuilt = settings.platforms.find(p => p.id === host?.id)
  // The classic store holds one platform only; the docker-save route needs the image in the engine.
  const canLoadAll = settings.platforms.length === 1 || engine.containerdStore
  const load = canLoadAll && (settings.load || engine.route === 'docker-save')
  if (settings.load && !canLoadAll) warn('load skipped: the engine\'s image store cannot hold a multi-platform image (enable the containerd image store to load it)')

  const tags = imageTags(settings, version)
  const oci = path.join(workDir, 'oci')
  const request = (exporter: Exporter, platforms?: string[]): BuildPlanInput => ({
    settings,
    version,
    contextDir,
    dockerfile,
    metadataFile: path.join(workDir, `metadata-${exporter.kind}.json`),
    exporter,
    now: started,
    platforms
  })
  // The OCI build is the one measured (and its digest reported); loading it again is a cached rebuild.
  const built = await phase('buildx build', async () => {
    const measured = engine.route === 'oci' ? await buildImage(request({ kind: 'oci', dest: oci })) : undefined
    const loaded = load ? await buildImage(request({ kind: 'load' })) : undefined
    return measured ?? loaded!
  })

  const measurement: Measurement = await phase('measure', () =>
    engine.route === 'oci' ? measureOciLayout(oci) : measureFromEngine(tags[0], settings.platforms[0].id, workDir)
  )

  let smoke: Report['smoke']
  const startup = new Map<string, { unpacked?: number; packed?: number }>()
  if (settings.smokeTest) {
    const args = settings.smokeTest
    if (!hostBuilt) {
      warn(`smoke test skipped: no platform in ${settings.platforms.map(p => p.id).join(', ')} runs on this ${host?.id ?? process.arch} runner without emulation`)
    } else {
      smoke = await phase('smoke test', async () => {
        if (!load) {
          // A multi-platform build could not be loaded: load the runner's platform alone (fully cached).
          await buildImage(request({ kind: 'load' }, [hostBuilt.id]))
        }
        const outcome = await smokeTest(tags[0], hostBuilt.id, args, settings.smokeTimeoutSeconds)
        return { args, output: outcome.stdout }
      })
      const hostPacked = packed.find(p => p.binary.platform.id === hostBuilt.id && p.packed)
      if (hostPacked) {
        startup.set(hostBuilt.id, {
          unpacked: medianStartupMs(hostPacked.binary.path, args),
          packed: medianStartupMs(hostPacked.path, args)
        })
      }
    }
  }

  let published: Report['published']
  if (settings.push) {
    published = await phase('push', async () => {
      const pushed = await pushImage(request({ kind: 'push' }), tags)
      const digest = pushed.metadata['containerimage.digest']
      if (!digest) throw new Error('buildx pushed but reported no digest: the image was not published')
      const images = await readPushed(tags[0], digest, settings.builder, settings.platforms[0].id)
      for (const image of images) {
        const measured = measurement.images.find(m => m.platform === image.platform)
        if (measured && measured.wire !== image.wire) {
          warn(`${image.platform}: the registry stores ${image.wire} bytes, but ${measured.wire} were measured before the push`)
        }
      }
      return { digest, metadata: pushed.metadata, references: tags, images }
    })
  }

  const report: Report = {
    image: settings.image,
    tags,
    digest: published?.digest ?? built.metadata['containerimage.digest'],
    version,
    goVersion: goFacts.goVersion,
    upx: settings.upx,
    finalStage: describeFinalStage(settings),
    binaries: packed.map(p => figures(p, startup.get(p.binary.platform.id))),
    measurement,
    timings,
    smoke,
    published,
    warnings
  }
  const markdown = renderMarkdown(report)
  const first = measurement.images.find(i => i.platform === settings.platforms[0].id) ?? measurement.images[0]
  core.setOutput('version', version.version)
  core.setOutput('build', version.build)
  core.setOutput('binary-path', packed[0].path)
  core.setOutput('binary-size', packed[0].size)
  core.setOutput('binary-size-unpacked', packed[0].binary.size)
  core.setOutput('image-size', first.wire)
  core.setOutput('image-size-uncompressed', first.unpacked)
  const metadata = published?.metadata ?? built.metadata
  core.setOutput('imageid', metadata['containerimage.config.digest'] ?? built.metadata['containerimage.config.digest'] ?? '')
  core.setOutput('digest', report.digest ?? '')
  core.setOutput('metadata', JSON.stringify(metadata))
  core.setOutput('report', markdown)
  core.setOutput('report-json', JSON.stringify(report))
  await core.summary.addRaw(markdown).write()
  core.info(markdown)
}

/** The push, with registry failures turned into one sentence that says what to do. */
async function pushImage(input: BuildPlanInput, tags: string[]) {
  try {
    return await buildImage(input)
  } catch (error) {
    const explained = error instanceof CommandError ? explainPushFailure(error.outcome.stderr, tags) : undefined
    if (!explained) throw error
    throw new Error(`push failed: ${explained}\n${error instanceof Error ? error.message.split('\n').slice(-3).join('\n') : ''}`)
  }
}

function describeFinalStage(settings: Settings): string {
  const stage = settings.finalStage
  return stage.kind === 'image' ? stage.base : stage.kind
}

function figures(p: Packed, startup?: { unpacked?: number; packed?: number }): BinaryFigures {
  return {
    platform: p.binary.platform.id,
    unstripped: p.binary.unstrippedSize,
    stripped: p.binary.size,
    final: p.size,
    packed: p.packed,
    upxDeclined: p.declined,
    packMs: p.packMs,
    gzipUnpacked: p.gzipUnpacked,
    gzipPacked: p.gzipPacked,
    startupUnpackedMs: startup?.unpacked,
    startupPackedMs: startup?.packed
  }
}
