import { execute, type Plan } from './runner.js'
import { isAttestation, platformId, type Descriptor } from './measure.js'

/** Per platform, what the registry stores after the push. */
export interface PushedImage {
  platform: string
  manifestDigest: string
  wire: number
}

export function rawManifestPlan(reference: string, builder: string): Plan {
  // imagetools uses the same credentials as the push (docker login), so private registries read back too.
  return { program: 'docker', args: ['buildx', 'imagetools', 'inspect', ...(builder ? ['--builder', builder] : []), '--raw', reference] }
}

/** `repo:tag` → `repo`; keeps a registry port (`host:5000/repo:tag`). */
export function repositoryOf(reference: string): string {
  const withoutDigest = reference.split('@')[0]
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

/**
 * Reads the pushed image back and sums, per platform, config plus layers as the registry stores them.
 * A single manifest (one platform, no attestations) carries no platform: `onlyPlatform` names it.
 */
export async function readPushed(reference: string, digest: string | undefined, builder: string, onlyPlatform: string): Promise<PushedImage[]> {
  const repository = repositoryOf(reference)
  // Without a digest, the reference itself (a tag) is read.
  const topReference = digest ? `${repository}@${digest}` : reference
  type Manifest = { manifests?: Descriptor[]; config: Descriptor; layers: Descriptor[] }
  const raw = async (ref: string) => JSON.parse((await execute(rawManifestPlan(ref, builder), { quiet: true })).stdout) as Manifest
  const wire = (manifest: Manifest) => manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0)
  const top = await raw(topReference)
  if (!top.manifests) return [{ platform: onlyPlatform, manifestDigest: digest ?? '', wire: wire(top) }]
  const images: PushedImage[] = []
  for (const descriptor of top.manifests.filter(d => !isAttestation(d))) {
    images.push({
      platform: descriptor.platform ? platformId(descriptor.platform) : onlyPlatform,
      manifestDigest: descriptor.digest,
      wire: wire(await raw(`${repository}@${descriptor.digest}`))
    })
  }
  return images
}

/** One sentence for the usual registry failures, with what to do. */
export function explainPushFailure(stderr: string, references: string[]): string | undefined {
  const where = references
    .map(r => repositoryOf(r))
    .filter((r, i, all) => all.indexOf(r) === i)
    .join(', ')
  if (/no basic auth credentials|unauthorized|authentication required|\b401\b/i.test(stderr)) {
    return `the registry refused to let this runner push ${where} without credentials: log in first (docker/login-action) with a user that may push there`
  }
  if (/denied|forbidden|\b403\b/i.test(stderr)) {
    return `the registry denied the push to ${where}: the logged-in user may not write there (for ghcr.io, give the job "permissions: packages: write")`
  }
  // A reset is more telling than the dial that may come with it.
  if (/connection reset by peer|broken pipe|unexpected EOF|use of closed network connection|\bEOF\b/i.test(stderr)) {
    return `the registry of ${where} dropped the connection during the push: check that it is up and retry`
  }
  if (/no such host|server misbehaving|connection refused|i\/o timeout|dial tcp/i.test(stderr)) {
    return `the registry of ${where} cannot be reached: check the host name in tags`
  }
  return undefined
}
