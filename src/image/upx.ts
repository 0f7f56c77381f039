import * as io from '@actions/io'
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Binary, Shipped } from '../build/index.js'
import { execute, warn, type Plan } from '../process/index.js'
import type { UpxLevel } from '../settings/index.js'
import { compressLayer } from './compress.js'

/** A binary as it goes into the image; `B` is what is known of the binary (its twin's findings come later). */
export interface Packed<B extends Shipped = Binary> {
  binary: B
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
  /** zstd (the action's level) of the plain binary: the road not taken, no UPX and no start-up cost. */
  zstdUnpacked?: number
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

/**
 * Puts each binary into the build context, packed with UPX when asked for. UPX uses one core: the platforms'
 * binaries are packed side by side.
 */
export async function packBinaries<B extends Shipped>(
  binaries: B[],
  level: UpxLevel,
  upx: string | undefined,
  destination: (binary: B) => string,
  zstdLevel?: number
): Promise<Packed<B>[]> {
  return Promise.all(binaries.map(binary => packOne(binary, level, upx, destination(binary), zstdLevel)))
}

/** zstd of the plain binary, in the thread pool while UPX packs (UPX uses one core). */
async function zstdSize(file: string, zstdLevel: number | undefined): Promise<number | undefined> {
  if (zstdLevel === undefined) return undefined
  return (await compressLayer(await readFile(file), { kind: 'zstd', level: zstdLevel })).length
}

async function packOne<B extends Shipped>(binary: B, level: UpxLevel, upx: string | undefined, target: string, zstdLevel?: number): Promise<Packed<B>> {
  await mkdir(path.dirname(target), { recursive: true })
  if (level === 'off' || !upx) {
    await copyFile(binary.path, target)
    return { binary, path: target, size: binary.size, packed: false }
  }
  await io.rmRF(target)
  const zstdUnpacked = zstdSize(binary.path, zstdLevel)
  const packed = await execute(packPlan(upx, level, binary.path, target), { allowFailure: true })
  const declined = DECLINED.exec(packed.stderr + packed.stdout)?.[0]
  if (packed.code !== 0 && declined) {
    warn(`UPX did not pack the ${binary.platform.id} binary (${declined}); the image gets the unpacked binary.`)
    await io.rmRF(target)
    await copyFile(binary.path, target)
    return { binary, path: target, size: binary.size, packed: false, declined }
  }
  if (packed.code !== 0) throw new Error(`upx failed on the ${binary.platform.id} binary (exit ${packed.code}):\n${packed.stderr.trim()}`)
  await execute(testPlan(upx, target))
  const [plain, squeezed] = await Promise.all([readFile(binary.path), readFile(target)])
  return {
    binary,
    path: target,
    size: (await stat(target)).size,
    packed: true,
    packMs: packed.ms,
    gzipUnpacked: gzipSync(plain).length,
    gzipPacked: gzipSync(squeezed).length,
    zstdUnpacked: await zstdUnpacked
  }
}
