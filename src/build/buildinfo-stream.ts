/**
 * A Go binary's build info read as its bytes stream past (a binary in a base image's layer), keeping at most a few
 * megabytes: the build info header is at the start of .go.buildinfo, which the linker aligns to 16 bytes, so the
 * first aligned header whose strings are framed as Go frames them is the one. A binary of any size is read in a
 * bounded amount of memory; a packed one (UPX) is said as that.
 */

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')
const ALIGN = 16
const HEADER = 32
const FLAG_INLINE = 0x2
// The module information is framed by these 16 bytes on each side (runtime/debug's modinfo).
const START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex')
const END = Buffer.from('f932433186182072008242104116d8f2', 'hex')
// What one header and its two strings may take: a module list of thousands of dependencies is well under it.
export const BUILD_INFO_BYTES = 4 * 1024 * 1024
// UPX writes its mark near the start of what it packs.
const UPX_MARK = Buffer.from('UPX!')
const UPX_WITHIN = 64 * 1024

export type StreamedBuildInfo = { goVersion: string; modules: string } | { missing: true; packed: boolean }

function uvarint(buf: Buffer, at: number): [number, number] | undefined {
  let value = 0
  for (let i = at, shift = 0; i < buf.length && shift < 35; i++, shift += 7) {
    value += (buf[i] & 0x7f) * 2 ** shift
    if ((buf[i] & 0x80) === 0) return [value, i + 1]
  }
  return undefined
}

type Parsed = { goVersion: string; modules: string } | 'more' | 'not'

/** The strings after a header at the start of `window`: found, more bytes needed, or not a real header. */
function parseAt(window: Buffer): Parsed {
  if (window.length < HEADER) return 'more'
  if ((window[15] & FLAG_INLINE) === 0) return 'not'
  const version = uvarint(window, HEADER)
  if (!version) return window.length - HEADER < 5 ? 'more' : 'not'
  const [versionLength, next] = version
  const modules = uvarint(window, next + versionLength)
  if (!modules) return next + versionLength + 5 > window.length ? 'more' : 'not'
  const [modLength, modStart] = modules
  if (modStart + modLength > window.length) return modStart + modLength > BUILD_INFO_BYTES ? 'not' : 'more'
  const goVersion = window.toString('utf8', next, next + versionLength)
  const mod = window.subarray(modStart, modStart + modLength)
  const framed = modLength === 0 || (modLength > 32 && mod.subarray(0, 16).equals(START) && mod.subarray(modLength - 16).equals(END))
  if (!/^(go\d|devel )/.test(goVersion) || !framed) return 'not'
  return { goVersion, modules: modLength > 32 ? mod.toString('utf8', 16, modLength - 16) : '' }
}

/** A file reader (update with each chunk, then result) that finds the build info in bounded memory. */
export function buildInfoReader() {
  let window: Buffer = Buffer.alloc(0)
  // The file offset of window[0].
  let start = 0
  let parsing = false
  let found: { goVersion: string; modules: string } | undefined
  let packed = false
  let head: Buffer = Buffer.alloc(0)

  const scan = () => {
    for (;;) {
      if (!parsing) {
        let at = window.indexOf(MAGIC)
        while (at >= 0 && (start + at) % ALIGN !== 0) at = window.indexOf(MAGIC, at + 1)
        if (at < 0) {
          // Keep what could be the start of a header split between chunks.
          const keep = Math.min(window.length, MAGIC.length - 1)
          start += window.length - keep
          window = Buffer.from(window.subarray(window.length - keep))
          return
        }
        start += at
        window = window.subarray(at)
        parsing = true
      }
      const parsed = parseAt(window)
      if (parsed === 'more' && window.length < BUILD_INFO_BYTES) return
      if (typeof parsed === 'object') {
        found = parsed
        window = Buffer.alloc(0)
        return
      }
      // Not the header after all (the magic as data elsewhere): scanning goes on past it.
      parsing = false
      start += 1
      window = window.subarray(1)
    }
  }

  return {
    update(chunk: Buffer) {
      if (found) return
      if (start + window.length < UPX_WITHIN && !packed) {
        head = Buffer.concat([head, chunk.subarray(0, UPX_WITHIN)])
        packed = head.includes(UPX_MARK)
      }
      window = window.length === 0 ? chunk : Buffer.concat([window, chunk])
      scan()
    },
    result(): StreamedBuildInfo {
      return found ?? { missing: true, packed }
    }
  }
}
