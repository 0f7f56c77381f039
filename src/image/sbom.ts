import { createHash } from 'node:crypto'
import { splitFields } from '../settings/index.js'

/**
 * An SPDX 2.3 document made from the build info every Go binary carries: for a static Go binary that is exactly what
 * a scanner of the image could find, and it needs no scanner image. Pure: the same binary and commit time give the
 * same bytes.
 */

export interface ModuleLine {
  path: string
  version: string
  /** `h1:` and the base64 SHA-256 of the module's files, as go.sum records it. */
  sum?: string
  /** What a replace directive built instead. */
  replacedBy?: Omit<ModuleLine, 'replacedBy'>
}

/** Everything `go version -m` prints of a binary. */
export interface ModInfo {
  goVersion: string
  mainPackage: string
  main?: ModuleLine
  deps: ModuleLine[]
  /** `build` lines: -trimpath, -ldflags, CGO_ENABLED, GOOS, GOARCH, vcs.* … */
  settings: Array<[string, string]>
}

/** A `build` line's value may be quoted as Go quotes strings (`-ldflags="-s -w"`). */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value
  try {
    return JSON.parse(value) as string
  } catch {
    return value.slice(1, -1)
  }
}

export function parseModInfo(goVersion: string, text: string): ModInfo {
  const info: ModInfo = { goVersion, mainPackage: '', deps: [], settings: [] }
  for (const line of text.split('\n')) {
    const [kind, first = '', version = '', sum] = line.replace(/^\t/, '').split('\t')
    const module = { path: first, version, ...(sum ? { sum } : {}) }
    if (kind === 'path') info.mainPackage = first
    else if (kind === 'mod') info.main = module
    else if (kind === 'dep') info.deps.push(module)
    else if (kind === '=>' && info.deps.length > 0) info.deps[info.deps.length - 1].replacedBy = module
    else if (kind === 'build') {
      const eq = first.indexOf('=')
      info.settings.push(eq < 0 ? [first, ''] : [first.slice(0, eq), unquote(first.slice(eq + 1))])
    }
  }
  return info
}

/**
 * -ldflags as recorded, with every -X value blanked but the version and build the action injected: a -X of the
 * user's may carry a key, and the SBOM is published beside the image.
 */
export function publicLdflags(ldflags: string, injected: string[]): string {
  let fields: string[]
  try {
    fields = splitFields(ldflags, '-ldflags')
  } catch {
    return '(not shown: it could not be split into flags)'
  }
  return fields
    .map((field, i) => {
      const value = fields[i - 1] === '-X' ? field : field.startsWith('-X=') ? field.slice(3) : undefined
      if (value === undefined) return field
      const name = value.split('=')[0]
      const kept = injected.includes(name) ? value : `${name}=(redacted)`
      return field.startsWith('-X=') ? `-X=${kept}` : kept
    })
    .join(' ')
}

// Build settings that say how the binary was made; vcs.* and the rest say where, which the report already names.
const SETTINGS_KEPT = ['-buildmode', '-compiler', '-tags', '-trimpath', '-ldflags', 'CGO_ENABLED', 'GOOS', 'GOARCH', 'GOAMD64', 'GOARM', 'GOARM64', 'GO386']

/** A purl names a Go module by its path, each segment encoded, and its version (`+incompatible` encoded too). */
export function goPurl(path: string, version?: string): string {
  const encoded = path
    .split('/')
    .map(segment => encodeURIComponent(segment))
    .join('/')
  return `pkg:golang/${encoded}${version && version !== '(devel)' ? `@${encodeURIComponent(version)}` : ''}`
}

/** go.sum's `h1:` is base64 of a SHA-256: SPDX takes it as hex. */
export function h1Hex(sum: string | undefined): string | undefined {
  if (!sum?.startsWith('h1:')) return undefined
  const bytes = Buffer.from(sum.slice(3), 'base64')
  return bytes.length === 32 ? bytes.toString('hex') : undefined
}

export interface SbomSubject {
  /** The image's repository, as the report names it. */
  image: string
  platform: string
  /** The binary's path in the image and the SHA-256 of it as shipped (packed when UPX packed it). */
  file: string
  fileSha256: string
  /** The version the action injected: the binary's own, whatever the module's build-info version says. */
  version: string
  /** The -X targets the action set: their values are kept in the recorded -ldflags. */
  injected: string[]
  /** A final stage that is an image, named by digest: its packages are not listed, the image is. */
  baseImage?: { reference: string; digest?: string }
  /** Seconds since the epoch: the commit's time, so the same commit gives the same document. */
  created: number
}

interface SpdxPackage {
  name: string
  SPDXID: string
  versionInfo?: string
  downloadLocation: 'NOASSERTION'
  filesAnalyzed: false
  licenseConcluded: 'NOASSERTION'
  licenseDeclared: 'NOASSERTION'
  copyrightText: 'NOASSERTION'
  primaryPackagePurpose: 'APPLICATION' | 'LIBRARY' | 'CONTAINER'
  checksums?: Array<{ algorithm: 'SHA256'; checksumValue: string }>
  externalRefs?: Array<{ referenceCategory: 'PACKAGE-MANAGER'; referenceType: 'purl'; referenceLocator: string }>
  sourceInfo?: string
  comment?: string
}

const spdxId = (kind: string, name: string) => `SPDXRef-${kind}-${name.replace(/[^A-Za-z0-9.-]/g, '-')}`

function pkg(fields: Omit<SpdxPackage, 'downloadLocation' | 'filesAnalyzed' | 'licenseConcluded' | 'licenseDeclared' | 'copyrightText'>): SpdxPackage {
  return {
    ...fields,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION'
  }
}

const purlRef = (locator: string) => [{ referenceCategory: 'PACKAGE-MANAGER' as const, referenceType: 'purl' as const, referenceLocator: locator }]

/** One module as a package: what was built (a replacement's path and version when one was), with its checksum. */
function modulePackage(module: ModuleLine, index: number): SpdxPackage {
  const built = module.replacedBy ?? module
  const hex = h1Hex(built.sum)
  return pkg({
    name: module.path,
    SPDXID: spdxId(`Package-go-module-${index}`, module.path),
    versionInfo: built.version || undefined,
    primaryPackagePurpose: 'LIBRARY',
    ...(hex ? { checksums: [{ algorithm: 'SHA256', checksumValue: hex }] } : {}),
    ...(built.path.startsWith('.') || built.path.startsWith('/') ? {} : { externalRefs: purlRef(goPurl(built.path, built.version)) }),
    ...(module.replacedBy
      ? { sourceInfo: `replaced: ${module.path}${module.version ? ` ${module.version}` : ''} => ${built.path}${built.version ? ` ${built.version}` : ''}` }
      : {})
  })
}

/** How the binary was built, as its build info says, with no -X value of the user's. */
function buildComment(info: ModInfo, injected: string[]): string {
  const kept = info.settings
    .filter(([key]) => SETTINGS_KEPT.includes(key))
    .map(([key, value]) => [key, key === '-ldflags' ? publicLdflags(value, injected) : value])
  return `Built by ${info.goVersion} with ${kept.map(([key, value]) => `${key}=${value}`).join(' ')}`
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3'
  dataLicense: 'CC0-1.0'
  SPDXID: 'SPDXRef-DOCUMENT'
  name: string
  documentNamespace: string
  creationInfo: { created: string; creators: string[] }
  packages: SpdxPackage[]
  relationships: Array<{ spdxElementId: string; relationshipType: string; relatedSpdxElement: string }>
}

/** The document for one platform's binary; its namespace is derived from its own content, so it is stable too. */
export function spdxDocument(info: ModInfo, subject: SbomSubject): SpdxDocument {
  const binaryId = spdxId('Package-binary', subject.file)
  const main = info.main ?? { path: info.mainPackage, version: '' }
  const mainId = spdxId('Package-go-module-main', main.path)
  const stdlibVersion = info.goVersion.replace(/^go/, '')
  const deps = [...info.deps].sort((a, b) => a.path.localeCompare(b.path)).map(modulePackage)
  const packages: SpdxPackage[] = [
    pkg({
      name: subject.file,
      SPDXID: binaryId,
      versionInfo: subject.version,
      primaryPackagePurpose: 'APPLICATION',
      checksums: [{ algorithm: 'SHA256', checksumValue: subject.fileSha256 }],
      comment: buildComment(info, subject.injected)
    }),
    pkg({
      name: main.path,
      SPDXID: mainId,
      versionInfo: main.version || undefined,
      primaryPackagePurpose: 'LIBRARY',
      externalRefs: purlRef(goPurl(main.path, main.version))
    }),
    pkg({
      name: 'stdlib',
      SPDXID: spdxId('Package-go-stdlib', stdlibVersion),
      versionInfo: info.goVersion,
      primaryPackagePurpose: 'LIBRARY',
      externalRefs: purlRef(goPurl('stdlib', stdlibVersion))
    }),
    ...deps
  ]
  const relationships = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: binaryId },
    ...packages.slice(1).map(p => ({ spdxElementId: binaryId, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID }))
  ]
  if (subject.baseImage) {
    const baseId = spdxId('Package-base-image', subject.baseImage.reference)
    packages.push(
      pkg({
        name: subject.baseImage.reference,
        SPDXID: baseId,
        versionInfo: subject.baseImage.digest,
        primaryPackagePurpose: 'CONTAINER',
        comment: 'The final stage the binary was added to; its own packages are not listed here.'
      })
    )
    relationships.push({ spdxElementId: binaryId, relationshipType: 'DEPENDS_ON', relatedSpdxElement: baseId })
  }
  const document: SpdxDocument = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${subject.image} ${subject.platform}`,
    documentNamespace: '',
    creationInfo: { created: new Date(subject.created * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), creators: ['Tool: go-slim-image'] },
    packages,
    relationships
  }
  const hash = createHash('sha256').update(JSON.stringify(document)).digest('hex')
  return { ...document, documentNamespace: `https://go-slim-image.invalid/spdx/${encodeURIComponent(subject.image)}/${hash}` }
}
