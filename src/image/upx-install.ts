import * as core from '@actions/core'
import * as io from '@actions/io'
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { UPX_RELEASE_URL, type UpxInstall } from '../settings/index.js'
import { sha256File } from './verify.js'
import { info } from '../process/index.js'

// SHA-256 of the official release archives, by version and UPX's arch name.
export const UPX_CHECKSUMS: Record<string, Record<string, string>> = {
  '4.2.4': {
    amd64: '75cab4e57ab72fb4585ee45ff36388d280c7afd72aa03e8d4b9c3cbddb474193',
    arm64: '6bfeae6714e34a82e63245289888719c41fd6af29f749a44ae3d3d166ba6a1c9'
  }
}

const UPX_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: 'i386', arm: 'arm' }

/** The archive to fetch for this runner, with the checksum it must have; or why there is none. */
export function upxDownload(install: UpxInstall, nodeArch: string = process.arch): { url: string; sha256: string; arch: string } {
  const arch = UPX_ARCH[nodeArch]
  if (!arch) throw new Error(`upx is not on PATH and has no release for this ${nodeArch} runner: install it before this step, or set upx: off`)
  const url = install.url.replaceAll('{version}', install.version).replaceAll('{arch}', arch)
  const known = install.url === UPX_RELEASE_URL ? UPX_CHECKSUMS[install.version]?.[arch] : undefined
  const sha256 = install.sha256 ?? known
  if (!sha256) {
    throw new Error(
      `upx is not on PATH, and the checksum of ${url} is not known to this action: set upx-sha256 to the archive's SHA-256, ` +
        `use upx-version ${Object.keys(UPX_CHECKSUMS).join(' or ')}, or install upx before this step`
    )
  }
  return { url, sha256, arch }
}

async function findFile(dir: string, name: string): Promise<string | undefined> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isFile() && entry.name === name) return full
    if (entry.isDirectory()) {
      const found = await findFile(full, name)
      if (found) return found
    }
  }
  return undefined
}

/**
 * Bounds of the download: a server that stops answering costs the run these seconds, never the job's timeout.
 * Node's own fetch waits five minutes for headers and again for every pause in the body.
 */
export const DOWNLOAD_LIMITS = { idleMs: 20_000, totalMs: 180_000 }

/** Streams `url` into `file`, ended when the server sends nothing for idleMs or the whole takes over totalMs. */
export async function downloadTo(url: string, file: string, limits = DOWNLOAD_LIMITS): Promise<void> {
  const controller = new AbortController()
  let why = ''
  const stop = (reason: string) => () => {
    why = reason
    controller.abort()
  }
  const total = setTimeout(stop(`it took over ${limits.totalMs / 1000} s`), limits.totalMs)
  const idle = setTimeout(stop(`the server sent nothing for ${limits.idleMs / 1000} s`), limits.idleMs)
  const alive = () => idle.refresh()
  try {
    const response = await fetch(url, { signal: controller.signal })
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
    alive()
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)
    body.on('data', alive)
    await pipeline(body, createWriteStream(file))
  } catch (error) {
    // An abort closes the connection: no socket is left to keep Node alive after the step.
    const cause = (error as { cause?: { code?: string } }).cause?.code
    throw new Error(why || (cause ? `${(error as Error).message}: ${cause}` : (error as Error).message), { cause: error })
  } finally {
    clearTimeout(total)
    clearTimeout(idle)
  }
}

/** upx from PATH, else from the tool cache, else downloaded, checksum-verified and cached. */
export async function requireUpx(install: UpxInstall): Promise<string> {
  const found = await io.which('upx', false)
  if (found) return found
  const download = upxDownload(install)
  // Loaded only here: most runners have upx on PATH or no need of it.
  const tc = await import('@actions/tool-cache')
  // tool-cache needs a cache root; off a runner, keep it beside the other temporary files.
  process.env.RUNNER_TOOL_CACHE ||= path.join(process.env.RUNNER_TEMP || '/tmp', 'tool-cache')
  let dir = tc.find('upx', install.version, download.arch)
  if (!dir) {
    info(`upx is not on PATH: downloading ${download.url}`)
    const archive = path.join(process.env.RUNNER_TEMP || tmpdir(), `upx-${randomUUID()}.tar.xz`)
    try {
      await downloadTo(download.url, archive).catch((error: unknown) => {
        throw new Error(`could not download upx from ${download.url} (${(error as Error).message}): install upx before this step, or set upx: off`)
      })
      const actual = await sha256File(archive)
      if (actual !== download.sha256) {
        throw new Error(`the upx archive from ${download.url} has SHA-256 ${actual}, not the expected ${download.sha256}: refusing to run it`)
      }
      const extracted = await tc.extractTar(archive, undefined, 'xJ')
      const binary = await findFile(extracted, 'upx')
      if (!binary) throw new Error(`the archive from ${download.url} holds no upx executable`)
      dir = await tc.cacheDir(path.dirname(binary), 'upx', install.version, download.arch)
    } finally {
      // Whatever happened, the archive goes: a wrong one must not stay in RUNNER_TEMP.
      await rm(archive, { force: true })
    }
  }
  core.addPath(dir)
  return path.join(dir, 'upx')
}
