import { parseFile } from './files.js'
import { parseList, splitFields } from './lists.js'
import { type Reading, parseBoolean } from './reading.js'
import { isImageReference } from './references.js'
import {
  type Compression,
  DISTROLESS_STATIC,
  type EngineSettings,
  type FinalStage,
  type PackSettings,
  type StageSettings,
  UPX_LEVELS,
  UPX_RELEASE_URL,
  type UpxInstall,
  type UpxLevel,
  ZSTD_LEVEL
} from './types.js'
import { builderProblem, shown, workdirProblem } from './values.js'

// The pack, stage and engine groups: what UPX, the final stage and the builder read.

export function parseCompression(kindText: string, levelText: string): Compression {
  const kind = kindText.trim().toLowerCase()
  if (kind !== 'gzip' && kind !== 'zstd') throw new Error(`compression "${shown(kindText)}" must be gzip or zstd`)
  const range = kind === 'gzip' ? [1, 9] : [1, 22]
  if (levelText.trim() === '') return kind === 'gzip' ? { kind } : { kind, level: ZSTD_LEVEL }
  const level = Number(levelText)
  if (!Number.isInteger(level) || level < range[0] || level > range[1]) {
    throw new Error(`compression-level "${shown(levelText)}" must be a whole number from ${range[0]} to ${range[1]} for ${kind}, or empty`)
  }
  return { kind, level }
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
    throw new Error(
      `final-stage "${shown(text)}" is neither scratch, scratch-nonroot, distroless-static, distroless-static-nonroot nor a valid image reference`
    )
  return { kind: 'image', base: text, nonroot: false }
}

export function portProblem(port: string): string | undefined {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/.exec(port)
  if (!match) return `expose "${shown(port)}" is not a port like 3000, 3000/tcp or 8000-8010/udp`
  const [low, high] = [Number(match[1]), Number(match[2] ?? match[1])]
  if (low < 1 || high > 65535) return `expose "${shown(port)}" is out of range: ports are 1 to 65535`
  if (high < low) return `expose "${shown(port)}" is a range that ends before it starts`
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
    if (!key) problems.push(`label "${shown(line)}" is not of the form key=value`)
    else if (!/^[A-Za-z0-9][\w./-]*$/.test(key))
      problems.push(`label "${shown(line)}": the key must start with a letter or digit and hold letters, digits and . _ / - only`)
    else labels.push([key, line.slice(eq + 1).trim()])
  }
  return labels
}

export function readPack({ get, problems }: Reading): PackSettings {
  const upxText = get('upx').toLowerCase()
  const upx = (UPX_LEVELS as readonly string[]).includes(upxText) ? (upxText as UpxLevel) : 'off'
  if (upx !== upxText) problems.push(`upx "${shown(upxText)}" is not a level: use one of ${UPX_LEVELS.join(', ')}`)
  const upxInstall: UpxInstall = {
    version: get('upx-version'),
    url: get('upx-download-url') || UPX_RELEASE_URL,
    sha256: get('upx-sha256').toLowerCase() || undefined
  }
  if (!/^\d+\.\d+\.\d+$/.test(upxInstall.version)) problems.push(`upx-version "${shown(upxInstall.version)}" must be a release number like 4.2.4`)
  if (upxInstall.sha256 && !/^[0-9a-f]{64}$/.test(upxInstall.sha256)) problems.push('upx-sha256 must be 64 hex digits (the SHA-256 of the archive)')
  if (!/^https?:\/\//.test(upxInstall.url)) problems.push(`upx-download-url "${shown(upxInstall.url)}" must be an http(s) URL`)
  return { upx, upxInstall }
}

export function readStage({ get, attempt, problems, workspace }: Reading): StageSettings {
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

export function readEngine({ get, problems }: Reading): EngineSettings {
  const builder = get('builder')
  const builderWhy = builderProblem(builder)
  if (builderWhy) problems.push(builderWhy)
  return { builder }
}
