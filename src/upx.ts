import * as core from '@actions/core'
import { warn } from './warnings.js'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import { spawnSync } from 'node:child_process'
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Binary } from './gobuild.js'
import { execute, toolEnded, toolStarted, type Plan } from './runner.js'
import { sha256File } from './verify.js'
import { UPX_RELEASE_URL, type UpxInstall, type UpxLevel } from './settings.js'

export interface Packed {
  binary: Binary
  /** The file that goes into the image: packed, or the plain binary when UPX is off or declined. */
  path: string
  size: number
  packed: boolean
  packMs?: number
  /** Why UPX left this binary alone (CantPack, AlreadyPacked, NotCompressible). */
  declined?: string
  /** gzip sizes of the plain and the packed binary: what a registry push would carry. */
  gzipUnpacked?: number
  gzipPacked?: number
}

export function upxFlags(level: Exclude<UpxLevel, 'off'>): string[] {
  switch (level) {
    case 'best':
      return ['--best']
    case 'lzma':
      return ['--best', '--lzma']
    case 'brute':
      return ['--brute']
    case 'ultra-brute':
      return ['--ultra-brute']
    default:
      return [`-${level}`]
  }
}

export function packPlan(upx: string, level: Exclude<UpxLevel, 'off'>, input: string, output: string): Plan {
  return { program: upx, args: [...upxFlags(level), '--no-progress', '-o', output, input] }
}

export function testPlan(upx: string, file: string): Plan {
  return { program: upx, args: ['-t', '-q', file] }
}

// upx's own words for "this file cannot or need not be packed": not an error of ours.
const DECLINED = /(CantPackException|AlreadyPackedException|NotCompressibleException|UnknownExecutableFormatException)[^\n]*/

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

/** upx from PATH, else from the tool cache, else downloaded, checksum-verified and cached. */
export async function requireUpx(install: UpxInstall): Promise<string> {
  const found = await io.which('upx', false)
  if (found) return found
  const download = upxDownload(install)
  // tool-cache needs a cache root; off a runner, keep it beside the other temporary files.
  process.env.RUNNER_TOOL_CACHE ||= path.join(process.env.RUNNER_TEMP || '/tmp', 'tool-cache')
  let dir = tc.find('upx', install.version, download.arch)
  if (!dir) {
    core.info(`upx is not on PATH: downloading ${download.url}`)
    let archive: string
    try {
      archive = await tc.downloadTool(download.url)
    } catch (error) {
      throw new Error(`could not download upx from ${download.url} (${(error as Error).message}): install upx before this step, or set upx: off`, {
        cause: error
      })
    }
    const actual = await sha256File(archive)
    if (actual !== download.sha256) {
      throw new Error(`the upx archive from ${download.url} has SHA-256 ${actual}, not the expected ${download.sha256}: refusing to run it`)
    }
    const extracted = await tc.extractTar(archive, undefined, 'xJ')
    const binary = await findFile(extracted, 'upx')
    if (!binary) throw new Error(`the archive from ${download.url} holds no upx executable`)
    dir = await tc.cacheDir(path.dirname(binary), 'upx', install.version, download.arch)
  }
  core.addPath(dir)
  return path.join(dir, 'upx')
}

/** Puts each binary into the build context, packed with UPX when asked for. */
export async function packBinaries(binaries: Binary[], level: UpxLevel, upx: string | undefined, destination: (binary: Binary) => string): Promise<Packed[]> {
  const results: Packed[] = []
  for (const binary of binaries) {
    const target = destination(binary)
    await mkdir(path.dirname(target), { recursive: true })
    if (level === 'off' || !upx) {
      await copyFile(binary.path, target)
      results.push({ binary, path: target, size: binary.size, packed: false })
      continue
    }
    await io.rmRF(target)
    const packed = await execute(packPlan(upx, level, binary.path, target), { allowFailure: true })
    const declined = DECLINED.exec(packed.stderr + packed.stdout)?.[0]
    if (packed.code !== 0 && declined) {
      warn(`UPX did not pack the ${binary.platform.id} binary (${declined}); the image gets the unpacked binary.`)
      await io.rmRF(target)
      await copyFile(binary.path, target)
      results.push({ binary, path: target, size: binary.size, packed: false, declined })
      continue
    }
    if (packed.code !== 0) throw new Error(`upx failed on the ${binary.platform.id} binary (exit ${packed.code}):\n${packed.stderr.trim()}`)
    await execute(testPlan(upx, target))
    const [plain, squeezed] = await Promise.all([readFile(binary.path), readFile(target)])
    results.push({
      binary,
      path: target,
      size: (await stat(target)).size,
      packed: true,
      packMs: packed.ms,
      gzipUnpacked: gzipSync(plain).length,
      gzipPacked: gzipSync(squeezed).length
    })
  }
  return results
}

/**
 * Median wall time of starting the binary with `args` and waiting for it to exit: what UPX's unpacking
 * costs at every container start. Measured directly, not through docker, so only the binary is timed.
 */
export function medianStartupMs(file: string, args: string[], runs = 5, timeoutMs = 10000): number | undefined {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    toolStarted()
    const started = performance.now()
    const result = spawnSync(file, args, { timeout: timeoutMs, stdio: 'ignore' })
    const ms = performance.now() - started
    toolEnded()
    if (result.status !== 0) return undefined
    times.push(ms)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}
