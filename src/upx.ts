import * as core from '@actions/core'
import * as io from '@actions/io'
import { spawnSync } from 'node:child_process'
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Binary } from './gobuild.js'
import { execute, type Plan } from './runner.js'
import type { UpxLevel } from './settings.js'

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

export async function requireUpx(): Promise<string> {
  const found = await io.which('upx', false)
  if (!found) {
    throw new Error('upx is not on PATH: install it before this step (on Ubuntu runners: sudo apt-get install -y upx-ucl), or set upx: off')
  }
  return found
}

/** Puts each binary into the build context, packed with UPX when asked for. */
export async function packBinaries(
  binaries: Binary[],
  level: UpxLevel,
  upx: string | undefined,
  destination: (binary: Binary) => string
): Promise<Packed[]> {
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
      core.warning(`UPX did not pack the ${binary.platform.id} binary (${declined}); the image gets the unpacked binary.`)
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
    const started = performance.now()
    const result = spawnSync(file, args, { timeout: timeoutMs, stdio: 'ignore' })
    if (result.status !== 0) return undefined
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}
