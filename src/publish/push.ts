import { readFile } from 'node:fs/promises'
import { blobPath, layoutBlobs, type Descriptor } from '../image/index.js'
import { byRepository, tagOf } from '../settings/index.js'
import { networkReason, registrySession, type RegistryRequest } from './access.js'
import { bodyStart } from './bounded.js'

/**
 * Pushes the OCI layout that was measured, byte for byte, through the registry API with the runner's Docker login
 * (what `docker push` uses): blobs, then manifests by digest, then the tags. Until the first tag is written nothing
 * can be pulled by name, so a failure before it publishes nothing.
 */

export class PushError extends Error {
  constructor(
    message: string,
    /** References the registry serves after the failure: what did get out. */
    readonly published: string[],
    /** The digest those references name. */
    readonly digest?: string
  ) {
    super(message)
  }
}

async function failure(response: Response, what: string): Promise<Error> {
  const body = (await bodyStart(response).catch(() => '')).trim()
  return new Error(`${what}: HTTP ${response.status}${body ? ` ${body}` : ''}`)
}

/** One blob into the repository, unless it is there already: POST an upload, PUT the bytes with their digest. */
async function pushBlob(request: RegistryRequest, dir: string, blob: Descriptor): Promise<void> {
  if ((await request(`blobs/${blob.digest}`, { method: 'HEAD' })).ok) return
  const opened = await request('blobs/uploads/', { method: 'POST' })
  const location = opened.headers.get('location')
  if (opened.status !== 202 || !location) throw await failure(opened, `opening the upload of ${blob.digest}`)
  const url = new URL(location, opened.url)
  url.searchParams.set('digest', blob.digest)
  const put = await request(url.href, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
    body: await readFile(blobPath(dir, blob.digest))
  })
  if (put.status !== 201) throw await failure(put, `uploading ${blob.digest}`)
}

/** A manifest or index under `reference` (its digest or a tag), as its bytes are. */
export async function putManifestBytes(request: RegistryRequest, mediaType: string, body: Uint8Array<ArrayBuffer>, reference: string): Promise<void> {
  const put = await request(`manifests/${reference}`, { method: 'PUT', headers: { 'content-type': mediaType }, body })
  if (put.status !== 201) throw await failure(put, `writing the manifest ${reference}`)
}

async function putManifest(request: RegistryRequest, dir: string, manifest: Descriptor, reference: string): Promise<void> {
  await putManifestBytes(request, manifest.mediaType, await readFile(blobPath(dir, manifest.digest)), reference)
}

/**
 * Pushes the layout to every reference's repository and tags it with their tags (none with `tagged` false: a push by
 * digest); resolves with the top digest (the index, or the single manifest).
 */
export async function pushLayout(dir: string, references: string[], tagged = true): Promise<string> {
  const { blobs, manifests, top } = await layoutBlobs(dir)
  const repos = byRepository(references).map(group => ({ ...group, request: registrySession(group.target, 'pull,push') }))
  try {
    await Promise.all(
      repos.map(async repo => {
        await Promise.all(blobs.map(blob => pushBlob(repo.request, dir, blob)))
        for (const manifest of manifests) await putManifest(repo.request, dir, manifest, manifest.digest)
        await putManifest(repo.request, dir, top, top.digest)
      })
    )
  } catch (error) {
    throw new PushError(reason(error), [])
  }
  const published: string[] = []
  if (!tagged) return top.digest
  for (const repo of repos) {
    for (const reference of repo.references) {
      try {
        await putManifest(repo.request, dir, top, tagOf(reference))
      } catch (error) {
        throw new PushError(reason(error), published, top.digest)
      }
      published.push(reference)
    }
  }
  return top.digest
}

/** fetch says only "fetch failed": the cause (ECONNRESET, ECONNREFUSED, a timeout) is the news. */
function reason(error: unknown): string {
  const why = networkReason(error, 'the registry')
  return why ? `${(error as Error).message}: ${why}` : (error as Error).message
}
