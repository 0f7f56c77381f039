import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { attachSboms, attestationsOf, IN_TOTO, SPDX_PREDICATE, subjectName } from '../../../src/image/attest.js'
import { layoutEntries, MEDIA, readBlobJson, writeBlob } from '../../../src/image/layout.js'
import { goPurl, h1Hex, parseModInfo, publicLdflags, spdxDocument, type SbomSubject } from '../../../src/image/sbom.js'
import { defaultProvenance } from '../../../src/settings/github.js'
import { parseSbom } from '../../../src/settings/publish.js'

// As `go version -m` prints it (a tab before each line), for a binary built by the action.
const MODINFO = [
  'path\texample.com/shop/cmd/api',
  'mod\texample.com/shop\t(devel)\t',
  'dep\tgithub.com/go-chi/chi/v5\tv5.5.0\th1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  'dep\tgithub.com/acme/legacy\tv1.0.0+incompatible\th1://///////////////////////////////////////8=',
  'dep\tgolang.org/x/sys\tv0.48.0',
  '=>\tgithub.com/fork/sys\tv0.48.1-fix\th1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=',
  'build\t-buildmode=exe',
  'build\t-compiler=gc',
  'build\t-trimpath=true',
  'build\t-ldflags="-s -w -X main.Version=v1.2.3 -X \'main.APIKey=s3cret value\'"',
  'build\tCGO_ENABLED=0',
  'build\tGOARCH=amd64',
  'build\tGOOS=linux',
  'build\tGOAMD64=v1',
  'build\tvcs.revision=0123456789abcdef0123456789abcdef01234567'
]
  .map(line => `\t${line}`)
  .join('\n')

const subject: SbomSubject = {
  image: 'ghcr.io/acme/shop',
  platform: 'linux/amd64',
  file: '/usr/bin/api',
  fileSha256: 'f'.repeat(64),
  version: 'v1.2.3',
  injected: ['main.Version', 'main.Build'],
  created: 1764590400
}

describe('parseModInfo', () => {
  it('reads every line go version -m prints: main, deps with sums, a replacement, the build settings unquoted', () => {
    const info = parseModInfo('go1.26.8', MODINFO)
    expect(info.mainPackage).toBe('example.com/shop/cmd/api')
    expect(info.main).toEqual({ path: 'example.com/shop', version: '(devel)' })
    expect(info.deps.map(d => d.path)).toEqual(['github.com/go-chi/chi/v5', 'github.com/acme/legacy', 'golang.org/x/sys'])
    expect(info.deps[2]).toEqual({
      path: 'golang.org/x/sys',
      version: 'v0.48.0',
      replacedBy: { path: 'github.com/fork/sys', version: 'v0.48.1-fix', sum: 'h1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=' }
    })
    expect(info.settings).toContainEqual(['-ldflags', "-s -w -X main.Version=v1.2.3 -X 'main.APIKey=s3cret value'"])
    expect(info.settings).toContainEqual(['GOOS', 'linux'])
  })
})

describe('SBOM values', () => {
  it('keeps only the -X values the action injected: a key in -ldflags never reaches the SBOM', () => {
    expect(publicLdflags("-s -w -X main.Version=v1.2.3 -X 'main.APIKey=s3cret value' -X=main.Token=t0k", ['main.Version'])).toBe(
      '-s -w -X main.Version=v1.2.3 -X main.APIKey=(redacted) -X=main.Token=(redacted)'
    )
  })

  it('names modules by purl, each path segment and the version encoded; h1 sums as hex SHA-256', () => {
    expect(goPurl('github.com/go-chi/chi/v5', 'v5.5.0')).toBe('pkg:golang/github.com/go-chi/chi/v5@v5.5.0')
    expect(goPurl('github.com/acme/legacy', 'v1.0.0+incompatible')).toBe('pkg:golang/github.com/acme/legacy@v1.0.0%2Bincompatible')
    expect(goPurl('example.com/shop', '(devel)')).toBe('pkg:golang/example.com/shop')
    expect(h1Hex('h1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=')).toBe('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
    expect(h1Hex('h1:short')).toBeUndefined()
    expect(h1Hex(undefined)).toBeUndefined()
  })

  it('parses the sbom input: empty follows push (as ko), buildkit and attributes go to buildx, anything else is refused', () => {
    expect(parseSbom('', true)).toEqual({ kind: 'build-info' })
    expect(parseSbom('', false)).toEqual({ kind: 'off' })
    expect(parseSbom('true', false)).toEqual({ kind: 'build-info' })
    expect(parseSbom('false', true)).toEqual({ kind: 'off' })
    expect(parseSbom('buildkit', true)).toEqual({ kind: 'buildkit', value: 'true' })
    expect(parseSbom('generator=registry.local/scanner:1', true)).toEqual({ kind: 'buildkit', value: 'generator=registry.local/scanner:1' })
    // buildx reads attributes as CSV: a quote or a line break in a value could say more than was checked.
    expect(() => parseSbom('generator="x,mode=max"', true)).toThrow('sbom "generator=')
    expect(() => parseSbom('generator=x\nmode=max', true)).toThrow('sbom "generator=')
    expect(() => parseSbom('bogus', true)).toThrow(
      "sbom \"bogus\" must be true (an SPDX SBOM made from the binary's build info), false, buildkit (BuildKit's scanner, run as an image it pulls), or BuildKit's key=value attributes like generator=<image>"
    )
  })
})

describe('defaultProvenance', () => {
  it('is mode=max for a public repository and mode=min for a private one or one the event does not name, as docker/build-push-action', () => {
    const event = (payload: unknown) => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
      writeFileSync(file, typeof payload === 'string' ? payload : JSON.stringify(payload))
      return file
    }
    expect(defaultProvenance(event({ repository: { private: false } }))).toBe('mode=max')
    expect(defaultProvenance(event({ repository: { private: true } }))).toBe('mode=min')
    expect(defaultProvenance(event({}))).toBe('mode=min')
    expect(defaultProvenance(event('not json'))).toBe('mode=min')
    expect(defaultProvenance(undefined)).toBe('mode=min')
  })
})

describe('spdxDocument', () => {
  const info = parseModInfo('go1.26.8', MODINFO)

  it('lists the binary, the main module, the standard library and every dependency as built, with checksums and purls', () => {
    const document = spdxDocument(info, subject)
    expect(document.spdxVersion).toBe('SPDX-2.3')
    expect(document.creationInfo.created).toBe('2025-12-01T12:00:00Z')
    const byName = new Map(document.packages.map(p => [p.name, p]))
    expect([...byName.keys()]).toEqual(['/usr/bin/api', 'example.com/shop', 'stdlib', 'github.com/acme/legacy', 'github.com/go-chi/chi/v5', 'golang.org/x/sys'])
    expect(byName.get('/usr/bin/api')?.checksums).toEqual([{ algorithm: 'SHA256', checksumValue: 'f'.repeat(64) }])
    expect(byName.get('/usr/bin/api')?.comment).toBe(
      'Built by go1.26.8 with -buildmode=exe -compiler=gc -trimpath=true -ldflags=-s -w -X main.Version=v1.2.3 -X main.APIKey=(redacted) CGO_ENABLED=0 GOARCH=amd64 GOOS=linux GOAMD64=v1'
    )
    expect(byName.get('stdlib')?.externalRefs?.[0].referenceLocator).toBe('pkg:golang/stdlib@1.26.8')
    const sys = byName.get('golang.org/x/sys')!
    expect(sys.versionInfo).toBe('v0.48.1-fix')
    expect(sys.sourceInfo).toBe('replaced: golang.org/x/sys v0.48.0 => github.com/fork/sys v0.48.1-fix')
    expect(sys.externalRefs?.[0].referenceLocator).toBe('pkg:golang/github.com/fork/sys@v0.48.1-fix')
    expect(sys.checksums?.[0].checksumValue).toBe('01'.repeat(32))
    expect(document.relationships[0]).toEqual({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: document.packages[0].SPDXID
    })
    expect(new Set(document.packages.map(p => p.SPDXID)).size).toBe(document.packages.length)
    expect(JSON.stringify(document)).not.toContain('s3cret')
  })

  it('is the same bytes for the same binary and commit, whatever order the deps came in; another binary gets another namespace', () => {
    const reordered = { ...info, deps: [...info.deps].reverse() }
    expect(JSON.stringify(spdxDocument(reordered, subject))).toBe(JSON.stringify(spdxDocument(info, subject)))
    const other = spdxDocument(info, { ...subject, fileSha256: 'e'.repeat(64) })
    expect(other.documentNamespace).not.toBe(spdxDocument(info, subject).documentNamespace)
    expect(other.documentNamespace).toMatch(/^https:\/\/go-slim-image\.invalid\/spdx\/ghcr\.io%2Facme%2Fshop\/[0-9a-f]{64}$/)
  })

  it('names a final-stage image it was added to', () => {
    const document = spdxDocument(info, { ...subject, baseImage: { reference: 'gcr.io/distroless/static-debian12', digest: `sha256:${'a'.repeat(64)}` } })
    expect(document.packages.at(-1)).toMatchObject({
      name: 'gcr.io/distroless/static-debian12',
      versionInfo: `sha256:${'a'.repeat(64)}`,
      primaryPackagePurpose: 'CONTAINER'
    })
  })
})

/** A layout of one image, as buildx exports a single platform with no attestation: index.json names the manifest. */
async function singleImageLayout(): Promise<{ dir: string; manifest: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'attest-'))
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true })
  const config = await writeBlob(
    dir,
    Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })),
    MEDIA.config
  )
  const manifest = await writeBlob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [] })), MEDIA.manifest)
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [manifest] }))
  return { dir, manifest: manifest.digest }
}

describe('attachSboms', () => {
  const document = spdxDocument(parseModInfo('go1.26.8', MODINFO), { ...subject, platform: 'linux/arm64' })

  it('makes an index for a single image, with an attestation manifest as BuildKit writes one', async () => {
    const { dir, manifest } = await singleImageLayout()
    await attachSboms(dir, 'ghcr.io/acme/shop:v1', new Map([['linux/arm64', document]]))
    const { top, children } = await layoutEntries(dir)
    expect(top.mediaType).toBe(MEDIA.index)
    expect(children[0]).toMatchObject({ digest: manifest, platform: { os: 'linux', architecture: 'arm64' } })
    expect(children[1]).toMatchObject({
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.digest': manifest, 'vnd.docker.reference.type': 'attestation-manifest' }
    })
    const attestation = await readBlobJson<{ config: { digest: string }; layers: Array<{ digest: string; mediaType: string; annotations: object }> }>(
      dir,
      children[1].digest
    )
    expect(attestation.layers).toEqual([expect.objectContaining({ mediaType: IN_TOTO, annotations: { 'in-toto.io/predicate-type': SPDX_PREDICATE } })])
    expect(await readBlobJson(dir, attestation.config.digest)).toEqual({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [attestation.layers[0].digest] }
    })
    const statement = await readBlobJson<any>(dir, attestation.layers[0].digest)
    expect(statement.predicateType).toBe(SPDX_PREDICATE)
    expect(statement.subject).toEqual([{ name: 'pkg:docker/ghcr.io/acme/shop@v1?platform=linux%2Farm64', digest: { sha256: manifest.slice(7) } }])
    expect(statement.predicate).toEqual(document)
    expect(await attestationsOf(dir)).toEqual([{ platform: 'linux/arm64', predicates: [SPDX_PREDICATE] }])
  })

  it("adds the SBOM to the image's existing attestation manifest (buildx's provenance), beside it", async () => {
    const { dir, manifest } = await singleImageLayout()
    const provenance = await writeBlob(dir, Buffer.from('{"predicateType":"https://slsa.dev/provenance/v0.2"}'), IN_TOTO)
    const held = { ...provenance, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }
    const config = await writeBlob(dir, Buffer.from('{}'), MEDIA.config)
    const existing = await writeBlob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [held] })), MEDIA.manifest)
    const image = { mediaType: MEDIA.manifest, digest: manifest, size: readFileSync(path.join(dir, 'blobs/sha256', manifest.slice(7))).length }
    const index = await writeBlob(
      dir,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA.index,
          manifests: [
            { ...image, platform: { os: 'linux', architecture: 'arm64' } },
            {
              ...existing,
              platform: { os: 'unknown', architecture: 'unknown' },
              annotations: { 'vnd.docker.reference.digest': manifest, 'vnd.docker.reference.type': 'attestation-manifest' }
            }
          ]
        })
      ),
      MEDIA.index
    )
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [index] }))
    await attachSboms(dir, 'ghcr.io/acme/shop:v1', new Map([['linux/arm64', document]]))
    const { children } = await layoutEntries(dir)
    expect(children).toHaveLength(2)
    expect(await attestationsOf(dir)).toEqual([{ platform: 'linux/arm64', predicates: ['https://slsa.dev/provenance/v0.2', SPDX_PREDICATE] }])
  })

  it('names the subject as BuildKit does, the registry port encoded', () => {
    expect(subjectName('127.0.0.1:5000/acme/api:1.2.3', 'linux/arm/v7')).toBe('pkg:docker/127.0.0.1%3A5000/acme/api@1.2.3?platform=linux%2Farm%2Fv7')
  })
})
