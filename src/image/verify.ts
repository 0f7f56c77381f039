import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Transform, Writable, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { decompressor, type LayerCompression } from './compress.js'
import { CHUNK_BYTES } from './layout.js'
import { info } from '../process/index.js'

/** A layer as a byte stream, and how it is compressed. */
export interface LayerSource {
  open: () => Readable
  compression: LayerCompression
}

const normalise = (name: string) => name.replace(/^\.?\/+/, '')

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(file, { highWaterMark: CHUNK_BYTES }), hash)
  return hash.digest('hex')
}

type FileReader<T> = () => { update: (chunk: Buffer) => void; result: () => T }

/**
 * One pass over a layer: the bytes it unpacks to and, when a file is wanted, what its reader makes of that file's
 * bytes in the layer's tarball (undefined when the layer does not hold it).
 */
export async function scanLayer<T>(layer: LayerSource, wanted?: { file: string; read: FileReader<T> }): Promise<{ unpacked: number; found?: T }> {
  let unpacked = 0
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      unpacked += chunk.length
      done(null, chunk)
    }
  })
  const decompress = decompressor(layer.compression)
  const unpack = (sink: NodeJS.WritableStream) => (decompress ? pipeline(layer.open(), decompress, count, sink) : pipeline(layer.open(), count, sink))
  if (!wanted) {
    await unpack(new Writable({ write: (_chunk, _encoding, done) => done() }))
    return { unpacked }
  }
  const name = normalise(wanted.file)
  let found: T | undefined
  const extract = tar.extract()
  extract.on('entry', (header, stream, next) => {
    if (header.type === 'file' && normalise(header.name) === name) {
      const reader = wanted.read()
      stream.on('data', chunk => reader.update(chunk as Buffer))
      stream.on('end', () => {
        found = reader.result()
        next()
      })
    } else {
      stream.on('end', next)
      stream.resume()
    }
  })
  await unpack(extract)
  return { unpacked, found }
}

export const sha256Reader = () => {
  const hash = createHash('sha256')
  return { update: (chunk: Buffer) => hash.update(chunk), result: () => hash.digest('hex') }
}

const bufferReader = () => {
  const chunks: Buffer[] = []
  return { update: (chunk: Buffer) => chunks.push(chunk), result: () => Buffer.concat(chunks) }
}

/** `file` as the image holds it, read from the topmost layer that has it. Layers are given base first. */
export async function readInImage<T>(layers: LayerSource[], file: string, read: FileReader<T>): Promise<T | undefined> {
  for (const layer of [...layers].reverse()) {
    const { found } = await scanLayer(layer, { file, read })
    if (found !== undefined) return found
  }
  return undefined
}

/** The bytes of `file` as the image holds it. */
export const fileInImage = (layers: LayerSource[], file: string) => readInImage(layers, file, bufferReader)

/**
 * Fails unless every image holds, byte for byte, the binary that was built and measured for its platform:
 * whatever a builder's cache did, what ships is what the report describes. The images' hashes come from measuring.
 */
export async function verifyImageBinaries(
  images: Array<{ platform: string; binarySha256?: string }>,
  built: Array<{ platform: string; path: string }>,
  file: string
): Promise<void> {
  const matches: BinaryMatch[] = await Promise.all(
    built.map(async binary => ({
      platform: binary.platform,
      built: await sha256File(binary.path),
      inImage: images.find(i => i.platform === binary.platform)?.binarySha256
    }))
  )
  const wrong = mismatches(matches, file)
  if (wrong.length > 0) throw new Error(`the image does not hold the binary that was built:\n${wrong.join('\n')}`)
  info(matches.map(m => `${m.platform}: the image's ${file} is the binary built (sha256 ${m.built.slice(0, 16)}…)`).join('\n'))
}

export interface BinaryMatch {
  platform: string
  /** The binary that was built, packed and measured. */
  built: string
  /** The same path read back from the image; undefined when no layer holds it. */
  inImage?: string
}

/** One sentence per platform whose image does not hold the binary that was built; empty when all match. */
export function mismatches(matches: BinaryMatch[], file: string): string[] {
  return matches
    .filter(m => m.built !== m.inImage)
    .map(m =>
      m.inImage
        ? `${m.platform}: the image's ${file} has SHA-256 ${m.inImage}, but the binary built and measured has ${m.built}`
        : `${m.platform}: the image holds no ${file}, but a binary with SHA-256 ${m.built} was built for it`
    )
}
