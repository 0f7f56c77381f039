import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { docker, dockerResult, fileInImage, helloRepository, isUpxPacked, layerPaths, ociLayoutOf, readOciImages, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'upx', 'docker', 'git'))

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`

describe('examples/hello through dist/, as a runner runs it', () => {
  it('upx lzma + scratch-nonroot: injected version, user 65532, no shell, exact wire size', async () => {
    const repo = helloRepository('v1.4.2')
    const image = `slim-test/hello-${unique()}`
    const run = await runAction({ upx: 'lzma', 'final-stage': 'scratch-nonroot', image, 'smoke-test': 'version' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const tag = `${image}:v1.4.2`

    // The binary inside the image answers with what git said.
    expect(docker('run', '--rm', tag, 'version')).toBe(`Build: ${repo.sha}\nVersion: v1.4.2`)
    expect(docker('image', 'inspect', '-f', '{{.Config.User}}', tag)).toBe('65532:65532')
    // No shell: an entrypoint override to /bin/sh cannot start.
    const shell = dockerResult('run', '--rm', '--entrypoint', '/bin/sh', tag, '-c', 'true')
    expect(shell.code).not.toBe(0)
    expect(shell.output).toMatch(/no such file or directory|not found/)

    // Wire size as the OCI output's manifest states it.
    const oci = ociLayoutOf(run)
    const [only] = readOciImages(oci)
    expect(only.platform).toBe('linux/amd64')
    const manifestWire = only.manifest.config.size + only.manifest.layers.reduce((sum, l) => sum + l.size, 0)
    expect(Number(run.outputs['image-size'])).toBe(manifestWire)
    expect(only.config.config.Labels['org.opencontainers.image.version']).toBe('v1.4.2')
    expect(only.config.config.Labels['org.opencontainers.image.revision']).toBe(repo.sha)
    const files = layerPaths(oci, only.manifest)
    expect(files).toEqual(expect.arrayContaining(['etc/ssl/certs/ca-certificates.crt', 'etc/passwd', 'etc/group', 'usr/bin/hello']))
    expect(files.some(f => /(^|\/)(bin\/)?(sh|busybox)$/.test(f) && !f.startsWith('usr/bin/hello'))).toBe(false)
    // The image's user is a named user of the image's own /etc/passwd.
    const passwd = fileInImage(oci, only.manifest, 'etc/passwd').toString('utf8')
    const [uid, gid] = String(only.config.config.User).split(':')
    expect(passwd.split('\n').some(line => line.split(':')[2] === uid && line.split(':')[3] === gid)).toBe(true)
    // The binary in the image is the packed one the outputs describe.
    const inImage = fileInImage(oci, only.manifest, 'usr/bin/hello')
    expect(isUpxPacked(inImage)).toBe(true)
    expect(inImage.length).toBe(Number(run.outputs['binary-size']))

    // The packed binary is smaller than the stripped one, and upx itself says it is sound.
    const binary = run.outputs['binary-path']
    expect(statSync(binary).size).toBe(Number(run.outputs['binary-size']))
    expect(Number(run.outputs['binary-size'])).toBeLessThan(Number(run.outputs['binary-size-unpacked']) * 0.6)
    execFileSync('upx', ['-t', '-q', binary])
    expect(run.outputs.version).toBe('v1.4.2')
    expect(run.outputs.build).toBe(repo.sha)
    expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)

    const report = JSON.parse(run.outputs['report-json'])
    expect(report.binaries[0].startupPackedMs).toBeGreaterThan(0)
    // The start-up timing is a phase of its own, so the phases account for the run.
    expect(Object.keys(report.timings)).toEqual(expect.arrayContaining(['go build', 'upx', 'buildx build', 'measure', 'smoke test', 'startup']))
    expect(report.measurement.images[0].imageId).toBe(only.manifest.config.digest)
    expect(report.smoke.stdout).toContain('Version: v1.4.2')
    expect(run.summary).toContain('UPX trade-off')
    // The summary's figures are the artifact's: the manifest's sum and the image's binary.
    expect(run.summary).toContain(`wire ${manifestWire} bytes`)
    expect(run.summary).toContain(`in image ${inImage.length} bytes`)
  })

  it('scratch without UPX: binary only, root user, no CA-certificate warning for a server', async () => {
    const repo = helloRepository()
    const image = `slim-test/plain-${unique()}`
    const run = await runAction({ 'final-stage': 'scratch', image, tags: `${image}:dev` }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(docker('run', '--rm', `${image}:dev`, 'version')).toBe(`Build: ${repo.sha}\nVersion: 0.1.0`)
    expect(docker('image', 'inspect', '-f', '{{.Config.User}}', `${image}:dev`)).toBe('')
    const oci = ociLayoutOf(run)
    const [only] = readOciImages(oci)
    expect(layerPaths(oci, only.manifest).filter(f => !f.endsWith('/'))).toEqual(['usr/bin/hello'])
    // A server that never dials TLS needs no CA bundle: no warning, though net/http links crypto/tls.
    expect(run.warnings.join('\n')).not.toContain('x509roots')
    // Without UPX the image holds the stripped binary itself: ELF, unpacked, of the size reported.
    const inImage = fileInImage(oci, only.manifest, 'usr/bin/hello')
    expect(inImage.subarray(0, 4).toString('latin1')).toBe('\x7fELF')
    expect(isUpxPacked(inImage)).toBe(false)
    expect(inImage.length).toBe(Number(run.outputs['binary-size-unpacked']))
    expect(inImage.length).toBe(Number(run.outputs['binary-size']))
    expect(Number(run.outputs['image-size'])).toBe(only.manifest.config.size + only.manifest.layers.reduce((s, l) => s + l.size, 0))
    // The Go release the report names is the one the image's binary records (`go version FILE` reads it).
    const imageBinary = path.join(mkdtempSync(path.join(tmpdir(), 'in-image-')), 'hello')
    writeFileSync(imageBinary, inImage)
    const built = execFileSync('go', ['version', imageBinary], { encoding: 'utf8' }).trim().split(': ')[1]
    expect(built).toMatch(/^go1\.\d+/)
    expect(run.summary).toContain(`- Go: \`${built}\`;`)
  })

  it('distroless-static-nonroot on a locally built stand-in base (no pull)', async () => {
    // The stand-in: scratch with certs and a nonroot passwd entry, under the distroless name.
    const base = mkdtempSync(path.join(tmpdir(), 'distroless-'))
    mkdirSync(path.join(base, 'etc'))
    copyFileSync('/etc/ssl/certs/ca-certificates.crt', path.join(base, 'ca.crt'))
    writeFileSync(path.join(base, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n')
    writeFileSync(path.join(base, 'Dockerfile'), 'FROM scratch\nCOPY ca.crt /etc/ssl/certs/ca-certificates.crt\nCOPY etc/passwd /etc/passwd\nUSER 65532\n')
    docker('buildx', 'build', '--load', '-t', 'gcr.io/distroless/static-debian12:nonroot', base)

    const repo = helloRepository('v2.0.0')
    const image = `slim-test/distroless-${unique()}`
    const run = await runAction({ 'final-stage': 'distroless-static-nonroot', image, upx: '9' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const tag = `${image}:v2.0.0`
    expect(docker('run', '--rm', tag, 'version')).toContain('Version: v2.0.0')
    expect(docker('image', 'inspect', '-f', '{{.Config.User}}', tag)).toBe('65532')
    const oci = ociLayoutOf(run)
    const [only] = readOciImages(oci)
    expect(only.manifest.layers).toHaveLength(3) // two from the base, one binary
    expect(layerPaths(oci, only.manifest)).toEqual(expect.arrayContaining(['etc/passwd', 'usr/bin/hello']))
  })

  it('three versions of one commit on a warm builder: each image holds its own binary', async () => {
    // Same commit, same pinned file times, and binaries of one size: what BuildKit's context transfer skips.
    const repo = helloRepository()
    const image = `slim-test/versions-${unique()}`
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const run = await runAction({ image, version, 'smoke-test': 'version' }, { workspace: repo.dir })
      expect(run.errors).toEqual([])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain("linux/amd64: the image's /usr/bin/hello is the binary built")
      expect(docker('run', '--rm', '--network', 'none', `${image}:${version}`, 'version')).toBe(`Build: ${repo.sha}\nVersion: ${version}`)
      const [only] = readOciImages(ociLayoutOf(run))
      const inImage = fileInImage(ociLayoutOf(run), only.manifest, 'usr/bin/hello')
      expect(inImage.equals(readFileSync(run.outputs['binary-path']))).toBe(true)
      docker('image', 'rm', `${image}:${version}`)
    }
  })

  it('provenance attestations from buildx are left out of the sizes', async () => {
    const repo = helloRepository()
    const run = await runAction({ image: `slim-test/attested-${unique()}`, provenance: 'mode=min', load: 'false' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const oci = ociLayoutOf(run)
    // The index buildx wrote holds the image and its attestation manifest, read here without src/measure.ts.
    const index = JSON.parse(readFileSync(path.join(oci, 'index.json'), 'utf8')).manifests[0]
    const inner = JSON.parse(readFileSync(path.join(oci, 'blobs/sha256', index.digest.slice(7)), 'utf8')).manifests
    expect(inner.map((d: any) => d.annotations?.['vnd.docker.reference.type'] ?? 'image').sort()).toEqual(['attestation-manifest', 'image'])
    const [only] = readOciImages(oci)
    const report = JSON.parse(run.outputs['report-json'])
    expect(report.measurement.images.map((i: any) => i.platform)).toEqual(['linux/amd64'])
    expect(Number(run.outputs['image-size'])).toBe(only.manifest.config.size + only.manifest.layers.reduce((sum, l) => sum + l.size, 0))
  })

  it('two platforms: one static binary per CPU, one image each, measured apart', async () => {
    const repo = helloRepository()
    const image = `slim-test/multi-${unique()}`
    const run = await runAction({ platforms: 'linux/amd64,linux/arm64', image, upx: 'off', 'smoke-test': 'version' }, { workspace: repo.dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.outputs['report-json'])
    expect(report.measurement.images.map((i: { platform: string }) => i.platform).sort()).toEqual(['linux/amd64', 'linux/arm64'])
    const images = readOciImages(ociLayoutOf(run))
    for (const measured of report.measurement.images) {
      const read = images.find(i => i.platform === measured.platform)!
      expect(measured.wire).toBe(read.manifest.config.size + read.manifest.layers.reduce((s, l) => s + l.size, 0))
      // Each platform has its own image ID in the JSON report.
      expect(measured.imageId).toBe(read.manifest.config.digest)
    }
    // The headline speaks of one platform, the largest, as a pull fetches one.
    expect(run.summary).toMatch(/Image: \*\*[\d.]+ MiB\*\* on the wire \(linux\/(amd64|arm64), the largest of 2 platforms\)/)
    // binary-path is <context>/linux/amd64/usr/bin/hello
    const context = path.resolve(run.outputs['binary-path'], '../../../../..')
    const contextBinary = (arch: string) => readFileSync(path.join(context, 'linux', arch, 'usr/bin/hello'))
    expect(contextBinary('amd64').readUInt16LE(18)).toBe(62)
    expect(contextBinary('arm64').readUInt16LE(18)).toBe(183)
  })
})
