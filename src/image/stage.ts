import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { copyFile, cp, lstat, lutimes, mkdir, readdir, readFile, readlink, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Platform } from '../process/index.js'
import { binaryNameProblem, type ExtraFile, isImageReference, portProblem, workdirProblem, type FinalStage, type Settings } from '../settings/index.js'

/** What the final stage needs to know; pure data so the Dockerfile text is testable. */
/** The stage's settings with the binary's name: everything the Dockerfile and the files it copies are made from. */
export const stageOf = (settings: Pick<Settings, 'build' | 'stage'>): StageSpec => ({ ...settings.stage, binaryName: settings.build.binaryName })

export interface StageSpec {
  finalStage: FinalStage
  binaryName: string
  expose: string[]
  args: string[]
  workdir: string
  /** Extra files or folders, each its own layer: the runner's path and where it goes in the image. */
  files: ExtraFile[]
  /** Copy the runner's /usr/share/zoneinfo (time.LoadLocation reads it). */
  tzdata: boolean
}

/** The runner's time-zone database; `right/` (leap-second variants) is left out, Go never reads it. */
export const ZONEINFO = '/usr/share/zoneinfo'

export const BINARY_DIR = '/usr/bin'
export const NONROOT_UID = 65532
// The same user distroless's :nonroot images run as, so switching bases keeps file ownership.
export const PASSWD = `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${NONROOT_UID}:${NONROOT_UID}:nonroot:/home/nonroot:/sbin/nologin\n`
export const GROUP = `root:x:0:\nnonroot:x:${NONROOT_UID}:\n`

// Where Go's crypto/x509 looks for roots on Linux, in its order; the first one found is copied.
export const CA_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem'
]

/*
 * The build context holds whole file trees, copied to / as they are:
 *   rootfs/etc/…                         files every platform shares (scratch-nonroot)
 *   <os>/<arch>[/<variant>]/usr/bin/<name> one binary per platform, picked by TARGETPLATFORM
 * Copying trees (not single files) keeps the parent folders' times ours, so pinned times give
 * byte-identical layers on every builder.
 */
const SHARED_TREE = 'rootfs'
const TZDATA_TREE = 'tzdata'
const FILES_TREE = 'files'
const WORKDIR_TREE = 'workdir'

export function contextBinaryPath(contextDir: string, platform: Platform, binaryName: string): string {
  return path.join(contextDir, ...platform.id.split('/'), BINARY_DIR, binaryName)
}

/** The user the image runs as, when the action knows it: the workdir is made theirs. */
export function imageUser(stage: FinalStage): number | undefined {
  return stage.nonroot ? NONROOT_UID : undefined
}

/** What each layer the action adds holds, in order: the report names the layers by these. */
export function stageLayers(spec: StageSpec): string[] {
  return [
    ...(spec.finalStage.kind === 'scratch-nonroot' ? ['CA certificates, passwd, group'] : []),
    ...(spec.tzdata ? [`time-zone data ${ZONEINFO}`] : []),
    ...spec.files.map(f => `${f.destination} (from ${f.source})`),
    ...(spec.workdir && imageUser(spec.finalStage) !== undefined ? [`workdir ${spec.workdir}, owned by ${imageUser(spec.finalStage)}`] : []),
    'binary',
    // BuildKit gives WORKDIR a layer of its own, empty when the folder is already there.
    ...(spec.workdir ? [`WORKDIR ${spec.workdir}`] : [])
  ]
}

/**
 * A value the Dockerfile takes as text (not JSON), let through only when its check passes. Settings refuse a bad
 * value first, naming the input; this keeps any other path from pasting text that could end the line.
 */
function checked(value: string, problem: string | undefined): string {
  if (problem !== undefined || /[\r\n]/.test(value))
    throw new Error(`refused to write ${JSON.stringify(value)} into the Dockerfile: ${problem ?? 'it holds a line break'}`)
  return value
}

/**
 * The Dockerfile, from checked parts: text values pass their input's check, lists of arguments are JSON. Binaries
 * are cross-compiled outside and picked by TARGETPLATFORM, so no stage ever runs on an emulated CPU; no `# syntax`
 * line, so no frontend image has to be pulled.
 */
export function renderDockerfile(spec: StageSpec): string {
  const stage = spec.finalStage
  const from = stage.kind === 'image' ? checked(stage.base, isImageReference(stage.base) ? undefined : 'not an image reference') : 'scratch'
  const lines = [`FROM ${from}`, 'ARG TARGETPLATFORM']
  if (stage.kind === 'scratch-nonroot') {
    lines.push(`COPY ${SHARED_TREE}/ /`)
  }
  if (spec.tzdata) lines.push(`COPY ${TZDATA_TREE}/ /`)
  spec.files.forEach((_, i) => lines.push(`COPY ${FILES_TREE}-${i}/ /`))
  // WORKDIR would create the folder owned by root, which a non-root user cannot write to.
  const user = imageUser(stage)
  if (spec.workdir && user !== undefined) lines.push(`COPY --chown=${user}:${user} ${WORKDIR_TREE}/ /`)
  // The binary changes most often, so it is the last layer.
  lines.push('COPY ${TARGETPLATFORM}/ /')
  if (stage.kind === 'scratch-nonroot') lines.push(`USER ${NONROOT_UID}:${NONROOT_UID}`)
  if (spec.workdir) lines.push(`WORKDIR ${checked(spec.workdir, workdirProblem(spec.workdir))}`)
  if (spec.expose.length > 0) lines.push(`EXPOSE ${spec.expose.map(port => checked(port, portProblem(port))).join(' ')}`)
  // Exec form: scratch has no /bin/sh to run a shell-form command (seed 002); JSON also keeps $ and quotes literal.
  lines.push(`ENTRYPOINT ${JSON.stringify([`${BINARY_DIR}/${checked(spec.binaryName, binaryNameProblem(spec.binaryName))}`])}`)
  if (spec.args.length > 0) lines.push(`CMD ${JSON.stringify(spec.args)}`)
  return lines.join('\n') + '\n'
}

export function findCaBundle(candidates: string[] = CA_BUNDLES): string | undefined {
  return candidates.find(file => existsSync(file))
}

/** Writes the Dockerfile and the non-binary files of the context (the binaries are placed by upx.ts). */
export async function writeStageFiles(spec: StageSpec, contextDir: string): Promise<string> {
  await mkdir(contextDir, { recursive: true })
  if (spec.finalStage.kind === 'scratch-nonroot') {
    const bundle = findCaBundle()
    if (!bundle) {
      throw new Error(`no CA bundle on this runner (looked for ${CA_BUNDLES.join(', ')}): install ca-certificates, or use final-stage: scratch`)
    }
    const etc = path.join(contextDir, SHARED_TREE, 'etc')
    await mkdir(path.join(etc, 'ssl/certs'), { recursive: true })
    await copyFile(bundle, path.join(etc, 'ssl/certs/ca-certificates.crt'))
    await writeFile(path.join(etc, 'passwd'), PASSWD)
    await writeFile(path.join(etc, 'group'), GROUP)
  }
  if (spec.tzdata) {
    await cp(ZONEINFO, path.join(contextDir, TZDATA_TREE, ZONEINFO), {
      recursive: true,
      verbatimSymlinks: true,
      filter: source => path.relative(ZONEINFO, source).split(path.sep)[0] !== 'right'
    })
  }
  for (const [i, file] of spec.files.entries()) {
    const target = path.join(contextDir, `${FILES_TREE}-${i}`, file.destination)
    await mkdir(path.dirname(target), { recursive: true })
    await cp(file.source, target, { recursive: true, verbatimSymlinks: true })
  }
  if (spec.workdir && imageUser(spec.finalStage) !== undefined) await mkdir(path.join(contextDir, WORKDIR_TREE, spec.workdir), { recursive: true })
  const dockerfile = path.join(contextDir, 'Dockerfile')
  await writeFile(dockerfile, renderDockerfile(spec))
  return dockerfile
}

/** Sets every file and folder time in the tree to `seconds` (the commit time), for reproducible layers. */
export async function pinTimes(dir: string, seconds: number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) await pinTimes(full, seconds)
    await lutimes(full, seconds, seconds)
  }
  await lutimes(dir, seconds, seconds)
}

/**
 * Every file of the tree, sorted, with its mode, time and content: what BuildKit's context transfer compares.
 * Without times: what the image's layers are made of, before the times are pinned.
 */
export async function treeDigest(dir: string, { times = true } = {}): Promise<string> {
  const hash = createHash('sha256')
  const walk = async (folder: string): Promise<void> => {
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const full = path.join(folder, entry.name)
      const info = await lstat(full)
      hash.update(`${path.relative(dir, full)}\0${info.mode}\0${times ? info.mtimeMs : ''}\0`)
      if (info.isSymbolicLink()) hash.update(await readlink(full))
      else if (info.isDirectory()) await walk(full)
      else hash.update(await readFile(full))
    }
  }
  await walk(dir)
  return hash.digest('hex')
}

/**
 * Gives the finished context a folder name of its own content. BuildKit keeps a context transfer per folder
 * name and skips a file whose path, size and time look unchanged, so a binary that differs only in an injected
 * string (same size, pinned time) would silently be the previous run's. A new name means a fresh transfer.
 */
export async function sealContext(staging: string): Promise<string> {
  const sealed = path.join(path.dirname(staging), `context-${(await treeDigest(staging)).slice(0, 32)}`)
  await rename(staging, sealed)
  return sealed
}
