// Image references as docker takes them: the grammar inputs are checked by, and the parts a registry call needs.

// Grammar of github.com/distribution/reference, enough to refuse what docker would refuse.
const NAME_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const HOST = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?'
// Docker reads the first component as a registry only with a dot, a port, or as localhost.
const DOMAIN = `(?:${HOST}(?:\\.${HOST})+(?::[0-9]+)?|${HOST}:[0-9]+|localhost|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)`
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
const REPOSITORY_RE = new RegExp(`^(?:${DOMAIN}/)?${NAME_PART}(?:/${NAME_PART})*$`)
const REFERENCE_RE = new RegExp(`^(?:${DOMAIN}/)?${NAME_PART}(?:/${NAME_PART})*(?::${TAG})?(?:@${DIGEST})?$`)

// distribution/reference's limit on a repository name; a tag adds at most 128, a digest its hex.
export const MAX_NAME = 255

/** A repository name as docker takes it: `ghcr.io/owner/app`, `acme/app`. */
export const isRepository = (text: string): boolean => text.length <= MAX_NAME && REPOSITORY_RE.test(text)

/** A tag alone, as it follows the colon: `1.2.3`, `latest`. */
export const isTagName = (text: string): boolean => new RegExp(`^${TAG}$`).test(text)

export function isImageReference(text: string): boolean {
  return text.length <= MAX_NAME + 200 && REFERENCE_RE.test(text)
}
export interface PushTarget {
  /** As Docker names the registry: `ghcr.io`, `127.0.0.1:5000`, `docker.io`. */
  host: string
  /** The repository path in that registry: `acme/app`, `library/nginx`. */
  name: string
}

/** `repo:tag` → `repo`; keeps a registry port (`host:5000/repo:tag`). */
export function repositoryOf(reference: string): string {
  const withoutDigest = reference.split('@')[0]
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

/** `repo:tag` → `tag`. */
export const tagOf = (reference: string) => reference.slice(repositoryOf(reference).length + 1)

/** `host/repo:tag`, `repo@sha256:…` → the repository and the tag or digest to ask for (`latest` when none). */
export function manifestReference(reference: string): { target: PushTarget; ref: string } {
  const rest = reference.slice(repositoryOf(reference).length)
  const at = rest.indexOf('@')
  const ref = at >= 0 ? rest.slice(at + 1) : rest.startsWith(':') ? rest.slice(1) : 'latest'
  return { target: pushTarget(reference), ref }
}

/** `app:1` → `docker.io/library/app:1`: the full name containerd gives an image. */
export function fullName(reference: string): string {
  const { host, name } = pushTarget(reference)
  return `${host}/${name}${reference.slice(repositoryOf(reference).length)}`
}

/** The references grouped by the repository they go to, in the order given. */
export function byRepository(references: string[]): Array<{ target: PushTarget; references: string[] }> {
  const groups: Array<{ target: PushTarget; references: string[] }> = []
  for (const reference of references) {
    const target = pushTarget(reference)
    const known = groups.find(g => g.target.host === target.host && g.target.name === target.name)
    if (known) known.references.push(reference)
    else groups.push({ target, references: [reference] })
  }
  return groups
}

export function pushTarget(reference: string): PushTarget {
  const repository = repositoryOf(reference)
  const [first, ...rest] = repository.split('/')
  const isHost = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')
  if (!isHost) return { host: 'docker.io', name: rest.length === 0 ? `library/${first}` : repository }
  return { host: first, name: rest.join('/') }
}
