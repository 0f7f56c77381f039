/**
 * A registry's answers read with a bound on memory: a manifest, a config or a token is a few kilobytes (registries
 * refuse manifests over 4 MiB), so a body past its bound is refused as it streams, never buffered whole. Layers are
 * never read through here: they are streamed.
 */
export const JSON_BYTES = 4 * 1024 * 1024

/** The body's bytes, at most `limit` of them; a longer body is cancelled and refused. */
export async function boundedBody(response: Response, what: string, limit = JSON_BYTES): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > limit) {
    await response.body?.cancel()
    throw new Error(`${what} is ${declared} bytes, over the ${limit} read of it`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body ?? []) {
    size += chunk.length
    if (size > limit) throw new Error(`${what} is over the ${limit} bytes read of it`)
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

/** The body as JSON, read within the bound. */
export async function boundedJson<T>(response: Response, what: string, limit?: number): Promise<T> {
  return JSON.parse((await boundedBody(response, what, limit)).toString('utf8')) as T
}

/** At most `limit` characters of an error body, for a message: the rest is never read. */
export async function bodyStart(response: Response, limit = 300): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const chunks: Buffer[] = []
  let size = 0
  try {
    while (size < limit) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(Buffer.from(value))
      size += value.length
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit)
}
