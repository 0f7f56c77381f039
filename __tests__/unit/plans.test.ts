import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildPlan, chooseRoute, exporterArgs, imageLabels, LOST_SNAPSHOT, parseDockerInfo, scannerFailure, tagSafe } from '../../src/buildx.js'
import { goBuildPlan, ldflags } from '../../src/gobuild.js'
import { goListPlan } from '../../src/golist.js'
import { lowPriority } from '../../src/runner.js'
import { parseList, quoteField, splitFields } from '../../src/lists.js'
import { goEnv, parsePlatform } from '../../src/platform.js'
import { readSettings } from '../../src/settings.js'
import { actionInputs } from './inputs.js'
import { explainPushFailure } from '../../src/registry.js'
import { createPlan, elapsedMs, parseTimes } from '../../src/sandbox.js'
import { upxDownload } from '../../src/upx-install.js'
import { tagFromRef } from '../../src/version.js'

const moduleDir = mkdtempSync(path.join(tmpdir(), 'plans-'))
writeFileSync(path.join(moduleDir, 'go.mod'), 'module example.com/hello\n')
const settingsWith = (inputs: Record<string, string> = {}) =>
  readSettings(actionInputs(inputs), { GITHUB_WORKSPACE: moduleDir, GITHUB_REPOSITORY: 'Acme/Hello', GITHUB_SERVER_URL: 'https://github.com' })
const version = { version: 'v1.2.3', build: 'abc123', commitTime: 1700000000, origin: { kind: 'input' as const } }

describe('lists', () => {
  it('splits fields like the go command, quotes grouping', () => {
    expect(splitFields(` -X 'main.Name=a b'  -X "main.Q=it's" -s `)).toEqual(['-X', 'main.Name=a b', '-X', "main.Q=it's", '-s'])
    expect(splitFields('')).toEqual([])
  })
  it('quotes only what needs it, and round-trips', () => {
    for (const field of ['plain', 'a b', "it's", 'say "hi"', '$(rm -rf /)']) expect(splitFields(quoteField(field))).toEqual([field])
    expect(quoteField('main.Version=1.0')).toBe('main.Version=1.0')
  })
  it('drops blanks and comments', () => {
    expect(parseList('a,b\n\n# note\nc', { commas: true })).toEqual(['a', 'b', 'c'])
  })
})

describe('platform', () => {
  it('normalises and sets GOARM', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ id: 'linux/arm64', os: 'linux', arch: 'arm64' })
    expect(goEnv(parsePlatform('linux/arm/v6'))).toEqual({ GOOS: 'linux', GOARCH: 'arm', GOARM: '6' })
    expect(goEnv(parsePlatform('linux/amd64'))).toEqual({ GOOS: 'linux', GOARCH: 'amd64' })
  })
})

describe('go build plan', () => {
  it('builds static, trimmed, stripped, with the version injected', () => {
    const settings = settingsWith({ ldflags: '-X main.Extra=1', 'build-flags': '-tags netgo' })
    const plan = goBuildPlan(settings, version, parsePlatform('linux/arm/v7'), '/out/hello')
    expect(plan).toEqual({
      program: 'go',
      args: [
        'build',
        '-trimpath',
        '-ldflags=-s -w -X main.Version=v1.2.3 -X main.Build=abc123 -X main.Extra=1',
        '-tags',
        'netgo',
        '-o',
        '/out/hello',
        '--',
        '.'
      ],
      env: { CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'arm', GOARM: '7' },
      cwd: moduleDir
    })
  })
  it('quotes a version with spaces so the linker reads one value', () => {
    expect(ldflags(settingsWith(), { version: 'nightly build', build: 'x', origin: { kind: 'input' as const } }, 'none')).toBe(
      "-X 'main.Version=nightly build' -X main.Build=x"
    )
  })
  it('lists dependencies with the same build flags, so a separate tag value stays with its flag', () => {
    const plan = goListPlan(settingsWith({ 'build-flags': '-tags netgo -mod=vendor' }), parsePlatform('linux/amd64'))
    expect(plan.args.slice(0, 5)).toEqual(['list', '-deps', '-tags', 'netgo', '-mod=vendor'])
    expect(plan.args.at(-1)).toBe('.')
  })
  it('lists for the platform, and compiles nothing: the shipped link does', () => {
    const plan = goListPlan(settingsWith({ 'build-flags': '-tags netgo' }), parsePlatform('linux/arm64'))
    expect(plan.args).not.toContain('-export')
    expect(plan.env).toEqual({ CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'arm64' })
  })
  it('runs a plan at the lowest priority through nice, its argv unchanged', () => {
    const plan = goBuildPlan(settingsWith(), { version: '1', build: 'x', origin: { kind: 'input' as const } }, parsePlatform('linux/amd64'), '/o', 'none')
    expect(lowPriority(plan)).toEqual({ ...plan, program: 'nice', args: ['-n', '19', 'go', ...plan.args] })
  })
  it('injects nothing into a variable said to be none', () => {
    expect(ldflags(settingsWith({ 'build-variable': 'none' }), { version: '1', build: 'x', origin: { kind: 'input' as const } }, 'full')).toBe(
      '-s -w -X main.Version=1'
    )
    expect(
      ldflags(settingsWith({ 'version-variable': 'none', 'build-variable': 'none' }), { version: '1', build: 'x', origin: { kind: 'input' as const } }, 'none')
    ).toBe('')
  })
  it('links the base twin with its symbols but no DWARF', () => {
    expect(ldflags(settingsWith(), { version: '1', build: 'x', origin: { kind: 'input' as const } }, 'symbols')).toBe('-w -X main.Version=1 -X main.Build=x')
  })
  it('lists dependencies with the same static environment', () => {
    const plan = goListPlan(settingsWith({ package: './cmd/api' }), parsePlatform('linux/amd64'))
    expect(plan.args.slice(0, 3)).toEqual(['list', '-deps', '-f'])
    expect(plan.args.at(-1)).toBe('./cmd/api')
    expect(plan.env).toMatchObject({ CGO_ENABLED: '0', GOOS: 'linux' })
  })
})

describe('version', () => {
  it('takes the version from a pushed tag', () => {
    expect(tagFromRef('refs/tags/v1.2.3')).toBe('v1.2.3')
    expect(tagFromRef('refs/heads/main')).toBeUndefined()
  })
})

describe('buildx plan', () => {
  const now = new Date('2026-01-02T03:04:05Z')
  it('passes platforms, tags, labels, metadata file and one exporter', () => {
    const settings = settingsWith({ platforms: 'linux/amd64,linux/arm64', tags: 'r/app:1\nr/app:latest', labels: 'org.opencontainers.image.title=Mine' })
    const plan = buildPlan({
      settings,
      buildx: '/plugins/docker-buildx',
      version,
      contextDir: '/ctx',
      dockerfile: '/ctx/Dockerfile',
      metadataFile: '/m.json',
      exporter: { kind: 'oci', dest: '/oci' },
      now
    })
    expect(plan.program).toBe('/plugins/docker-buildx')
    expect(plan.args).toEqual([
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--file',
      '/ctx/Dockerfile',
      '--metadata-file',
      '/m.json',
      '--tag',
      'r/app:1',
      '--tag',
      'r/app:latest',
      '--label',
      'org.opencontainers.image.title=Mine',
      '--label',
      'org.opencontainers.image.version=v1.2.3',
      '--label',
      'org.opencontainers.image.revision=abc123',
      '--label',
      'org.opencontainers.image.created=2023-11-14T22:13:20.000Z',
      '--label',
      'org.opencontainers.image.source=https://github.com/Acme/Hello',
      '--output',
      'type=oci,dest=/oci,tar=false',
      '/ctx'
    ])
    expect(plan.env).toEqual({ SOURCE_DATE_EPOCH: '1700000000', BUILDX_GIT_INFO: '0' })
  })
  it('defaults the tag to image:version and the image to the repository', () => {
    const plan = buildPlan({
      settings: settingsWith({ builder: 'b1' }),
      buildx: 'docker-buildx',
      version: { version: 'feat/x+1', build: 'b', origin: { kind: 'input' as const } },
      contextDir: '/c',
      dockerfile: '/c/D',
      metadataFile: '/m',
      exporter: { kind: 'load' },
      now
    })
    expect(plan.args.slice(0, 2)).toEqual(['build', '--builder=b1'])
    expect(plan.args).toContain('acme/hello:feat-x-1')
    expect(plan.args).toContain(`org.opencontainers.image.created=${now.toISOString()}`)
  })
  it('passes annotations, provenance and sbom through as buildx flags', () => {
    const settings = settingsWith({
      annotations: 'index:org.opencontainers.image.description=Hello\nmanifest:org.opencontainers.image.licenses=MIT',
      platforms: 'linux/amd64,linux/arm64',
      provenance: 'mode=max',
      sbom: 'buildkit'
    })
    const plan = buildPlan({
      settings,
      buildx: 'docker-buildx',
      version,
      contextDir: '/c',
      dockerfile: '/c/D',
      metadataFile: '/m',
      exporter: { kind: 'oci', dest: '/o' },
      now
    })
    const tail = plan.args.slice(plan.args.indexOf('--annotation'))
    expect(tail).toEqual([
      '--annotation',
      'index:org.opencontainers.image.description=Hello',
      '--annotation',
      'manifest:org.opencontainers.image.licenses=MIT',
      '--provenance=mode=max',
      '--sbom=true',
      '--output',
      'type=oci,dest=/o,tar=false',
      '/c'
    ])
  })
  it("asks buildx for no SBOM of its own unless told to: the action's comes from the build info", () => {
    for (const sbom of ['', 'true', 'false'])
      expect(
        buildPlan({
          settings: settingsWith({ sbom, push: 'true', tags: 'acme/hello:1' }),
          buildx: 'b',
          version,
          contextDir: '/c',
          dockerfile: '/c/D',
          metadataFile: '/m',
          exporter: { kind: 'load' },
          now
        }).args.join(' ')
      ).not.toContain('--sbom')
  })
  it('adds provenance to a push as docker/build-push-action does, but not to what the docker exporter loads', () => {
    const plan = (inputs: Record<string, string>, exporter: { kind: 'oci'; dest: string } | { kind: 'load' }) =>
      buildPlan({ settings: settingsWith(inputs), buildx: 'b', version, contextDir: '/c', dockerfile: '/c/D', metadataFile: '/m', exporter, now }).args
    const push = { push: 'true', tags: 'acme/hello:1' }
    expect(plan(push, { kind: 'oci', dest: '/o' })).toContain('--provenance=mode=min')
    expect(plan(push, { kind: 'load' }).join(' ')).not.toContain('--provenance')
    expect(plan({}, { kind: 'oci', dest: '/o' }).join(' ')).not.toContain('--provenance')
    expect(plan({ ...push, provenance: 'false' }, { kind: 'oci', dest: '/o' })).toContain('--provenance=false')
  })
  it("says in one sentence that BuildKit's scanner image could not be pulled, and what to use instead", () => {
    const stderr =
      '#7 [internal] load metadata for docker.io/docker/buildkit-syft-scanner:stable-1\n#7 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/docker/buildkit-syft-scanner/manifests/stable-1": dial tcp: lookup registry-1.docker.io: no such host\nERROR: failed to solve: docker.io/docker/buildkit-syft-scanner:stable-1: failed to resolve source metadata\n'
    const error = scannerFailure(settingsWith({ sbom: 'buildkit' }), stderr)
    expect(error?.message).toMatch(
      /^sbom: buildkit asks BuildKit to scan the image with its scanner image \(docker\.io\/docker\/buildkit-syft-scanner:stable-1\), which this builder could not run \(failed to solve: .*\): use sbom: true/
    )
    expect(scannerFailure(settingsWith({ sbom: 'true' }), stderr)).toBeUndefined()
    expect(scannerFailure(settingsWith({ sbom: 'buildkit' }), 'ERROR: failed to solve: process "/bin/sh" did not complete')).toBeUndefined()
  })
  it('refuses a malformed annotation', () => {
    expect(() => settingsWith({ annotations: 'no equals sign' })).toThrow('annotation "no equals sign" is not of the form [type:]key=value')
  })

  it('lets user labels win over the OCI ones', () => {
    const labels = new Map(imageLabels(settingsWith({ labels: 'org.opencontainers.image.version=custom' }), version, new Date()))
    expect(labels.get('org.opencontainers.image.version')).toBe('custom')
  })
  it('makes any version a valid tag', () => {
    expect(tagSafe('-v1/2')).toBe('v1-2')
  })
  it('chooses the measuring route from the driver and store', () => {
    expect(chooseRoute('docker', false)).toBe('docker-save')
    expect(chooseRoute('docker', true)).toBe('oci')
    expect(chooseRoute('docker-container', false)).toBe('oci')
  })
  describe('docker info', () => {
    const buildx = { Name: 'buildx', Version: '0.13.1', Path: '/usr/libexec/docker/cli-plugins/docker-buildx' }
    const answer = (fields: object) =>
      JSON.stringify({ server: '29.0.1', driverStatus: [['driver-type', 'io.containerd.snapshotter.v1']], plugins: [buildx], ...fields })
    it('finds the server, its store and the buildx binary to run', () => {
      expect(parseDockerInfo(0, answer({}), '')).toEqual({
        serverVersion: '29.0.1',
        containerdStore: true,
        buildx: { path: '/usr/libexec/docker/cli-plugins/docker-buildx', version: '0.13.1' }
      })
      expect(parseDockerInfo(0, answer({ driverStatus: [['Backing Filesystem', 'extfs']] }), '').containerdStore).toBe(false)
    })
    it('names the daemon first when it does not answer', () => {
      // What docker info prints, exit 1, with no daemon behind DOCKER_HOST.
      const down = answer({ server: '', driverStatus: null })
      expect(() => parseDockerInfo(1, down, 'Cannot connect to the Docker daemon at unix:///x.sock.')).toThrow(
        /^no Docker daemon answers \(Cannot connect to the Docker daemon at unix:\/\/\/x\.sock\.\)/
      )
      expect(() => parseDockerInfo(1, '', 'template: :1: function "json" not defined')).toThrow(/no Docker daemon answers/)
    })
    it('says when buildx is missing or does not run', () => {
      expect(() => parseDockerInfo(0, answer({ plugins: [{ Name: 'compose', Path: '/p/docker-compose' }] }), '')).toThrow(
        'docker buildx is not installed: add docker/setup-buildx-action before this step'
      )
      expect(() => parseDockerInfo(0, answer({ plugins: null }), '')).toThrow(/docker buildx is not installed/)
      const broken = { Name: 'buildx', Path: '/home/u/.docker/cli-plugins/docker-buildx', Err: 'failed to fetch metadata: exit status 1' }
      expect(() => parseDockerInfo(0, answer({ plugins: [broken] }), '')).toThrow(
        'docker buildx at /home/u/.docker/cli-plugins/docker-buildx does not run (failed to fetch metadata: exit status 1): add docker/setup-buildx-action before this step'
      )
    })
  })
  it('runs the smoke test in the sandbox as the image user, with the arguments after the image', () => {
    const args = createPlan({
      name: 'n',
      runId: 'go-slim-image-x',
      reference: 'r/app:1',
      platform: 'linux/amd64',
      args: ['--privileged', '-v', '/:/host']
    }).args
    expect(args).not.toContain('--user')
    expect(args[args.indexOf('--network') + 1]).toBe('none')
    expect(args[args.indexOf('--cap-drop') + 1]).toBe('ALL')
    expect(args).toContain('no-new-privileges')
    expect(args[args.indexOf('--label') + 1]).toBe('go-slim-image.run=go-slim-image-x')
    // What looks like docker's options after the image is the program's.
    expect(args.slice(args.indexOf('r/app:1'))).toEqual(['r/app:1', '--privileged', '-v', '/:/host'])
    expect(args.filter(a => a === '-v' || a === '--volume' || a === '--env' || a === '-e' || a === '--mount')).toEqual(['-v'])
  })

  it('tells a registry that stalled from one that cannot be reached', () => {
    expect(
      explainPushFailure('uploading sha256:ab: The operation was aborted due to timeout: the registry gave no answer in time', ['r.example/acme/app:1'])
    ).toBe('the registry of r.example/acme/app stopped answering during the push: check that it is up and retry')
    expect(explainPushFailure('fetch failed: the registry cannot be reached (ENOTFOUND)', ['r.example/acme/app:1'])).toBe(
      'the registry of r.example/acme/app cannot be reached: check the host name in tags'
    )
  })

  it('quotes a CSV field of --output that holds a comma or a quote', () => {
    expect(exporterArgs({ kind: 'oci', dest: '/tmp/a/oci' })).toEqual(['--output', 'type=oci,dest=/tmp/a/oci,tar=false'])
    expect(exporterArgs({ kind: 'oci', dest: '/tmp/a,b/"c"/oci' })).toEqual(['--output', 'type=oci,"dest=/tmp/a,b/""c""/oci",tar=false'])
  })

  it("times a run from the engine's start and exit times, to the nanosecond", () => {
    expect(elapsedMs('2026-12-01T12:47:45.109236338Z', '2026-12-01T12:47:45.114230316Z')).toBeCloseTo(4.993978, 5)
    expect(elapsedMs('2026-12-01T12:47:59.9Z', '2026-12-01T12:48:00.1Z')).toBeCloseTo(200, 5)
    expect(parseTimes('2026-12-01T12:47:43.683465252Z 2026-12-01T12:47:43.836898401Z 0\n2026-12-01T12:47:45Z 2026-12-01T12:47:45.5Z 3\n')).toEqual([
      { ms: expect.closeTo(153.433149, 5), code: 0 },
      { ms: 500, code: 3 }
    ])
  })
})

describe('upx download', () => {
  const official = { version: '4.2.4', url: 'https://github.com/upx/upx/releases/download/v{version}/upx-{version}-{arch}_linux.tar.xz' }
  it('knows the official archives', () => {
    expect(upxDownload(official, 'x64')).toEqual({
      url: 'https://github.com/upx/upx/releases/download/v4.2.4/upx-4.2.4-amd64_linux.tar.xz',
      sha256: '75cab4e57ab72fb4585ee45ff36388d280c7afd72aa03e8d4b9c3cbddb474193',
      arch: 'amd64'
    })
    expect(upxDownload(official, 'arm64').url).toContain('upx-4.2.4-arm64_linux.tar.xz')
  })
  it('wants a checksum for anything else', () => {
    expect(() => upxDownload({ ...official, version: '5.0.0' }, 'x64')).toThrow('set upx-sha256')
    expect(() => upxDownload({ ...official, url: 'https://mirror/{version}/{arch}.tar.xz' }, 'x64')).toThrow('set upx-sha256')
    expect(upxDownload({ ...official, url: 'https://mirror/{version}/{arch}.tar.xz', sha256: 'ab'.repeat(32) }, 'x64').url).toBe(
      'https://mirror/4.2.4/amd64.tar.xz'
    )
  })
})

describe('push failures', () => {
  it('say what to do, and do not mistake a digest for a status code', () => {
    expect(explainPushFailure('failed to push: 401 Unauthorized', ['r.io/a/b:1'])).toContain('log in first (docker/login-action)')
    expect(explainPushFailure('denied: requested access to the resource is denied', ['r.io/a/b:1'])).toContain('denied the push to r.io/a/b')
    expect(explainPushFailure('dial tcp: lookup r.io: no such host', ['r.io/a/b:1'])).toContain('cannot be reached')
    expect(explainPushFailure('exporting manifest sha256:0a401f4031 failed: disk full', ['r.io/a/b:1'])).toBeUndefined()
  })
})

describe('an engine that lost a snapshot while unpacking', () => {
  it('is recognised from the error buildx prints (Docker 26, containerd store), and nothing else is', () => {
    const seen =
      '#6 ERROR: failed to prepare extraction snapshot "extract-823828798-lscy sha256:709ba74779cac312db90ee79a9c93264df4928dfdadaa5d3f60bb89c5822d2b8": parent snapshot sha256:9784e39f6ce11fd8eba6ae8aa54f4f041498ed114cf765fc05711a59a66b9fbe does not exist: not found'
    expect(LOST_SNAPSHOT.test(seen)).toBe(true)
    expect(LOST_SNAPSHOT.test('ERROR: failed to solve: process "/bin/sh -c go build" did not complete successfully: exit code: 1')).toBe(false)
  })
})
