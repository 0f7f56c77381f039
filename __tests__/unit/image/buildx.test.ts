import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildPlan, chooseRoute, exporterArgs, imageLabels, LOST_SNAPSHOT, parseDockerInfo, scannerFailure, tagSafe } from '../../../src/image/buildx.js'
import { readSettings } from '../../../src/settings/settings.js'
import { actionInputs } from '../inputs.js'

const moduleDir = mkdtempSync(path.join(tmpdir(), 'plans-'))
writeFileSync(path.join(moduleDir, 'go.mod'), 'module example.com/hello\n')
const settingsWith = (inputs: Record<string, string> = {}) =>
  readSettings(actionInputs(inputs), { GITHUB_WORKSPACE: moduleDir, GITHUB_REPOSITORY: 'Acme/Hello', GITHUB_SERVER_URL: 'https://github.com' })
const version = { version: 'v1.2.3', build: 'abc123', commitTime: 1700000000, origin: { kind: 'input' as const } }

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

  it('quotes a CSV field of --output that holds a comma or a quote', () => {
    expect(exporterArgs({ kind: 'oci', dest: '/tmp/a/oci' })).toEqual(['--output', 'type=oci,dest=/tmp/a/oci,tar=false'])
    expect(exporterArgs({ kind: 'oci', dest: '/tmp/a,b/"c"/oci' })).toEqual(['--output', 'type=oci,"dest=/tmp/a,b/""c""/oci",tar=false'])
  })
})

describe('an engine that lost a snapshot while unpacking', () => {
  it('is recognised from the error buildx prints (Docker 26, containerd store), and nothing else is', () => {
    const seen =
      '#6 ERROR: failed to prepare extraction snapshot "extract-823828798-lscy sha256:709ba74779cac312db90ee79a9c93264df4928dfdadaa5d3f60bb89c5822d2b8": parent snapshot sha256:9784e39f6ce11fd8eba6ae8aa54f4f041498ed114cf765fc05711a59a66b9fbe does not exist: not found'
    expect(LOST_SNAPSHOT.test(seen)).toBe(true)
    // The same loss as docker create reports it, seen in CI's smoke test right after the run's own docker load.
    expect(
      LOST_SNAPSHOT.test(
        'Error response from daemon: parent snapshot sha256:4792580912f63c7ab4385564deb7eb6ffdc6482ee075c02e5dd03e919f60cf02 does not exist: not found'
      )
    ).toBe(true)
    expect(LOST_SNAPSHOT.test('ERROR: failed to solve: process "/bin/sh -c go build" did not complete successfully: exit code: 1')).toBe(false)
  })
})
