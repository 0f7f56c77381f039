import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createServer as createHttpServer, request as httpRequest } from 'node:http'
import { createServer, connect, type Socket } from 'node:net'
import { docker, goModule, helloRepository, registryGet, registryTags, registryWire, requireTools, runAction, startRegistry, type Registry } from './harness.js'

/**
 * A loopback proxy to a registry that, once `bytes` have gone up, resets every connection and every new one:
 * a registry that dies in the middle of a push.
 */
async function dyingProxy(target: string, bytes: number): Promise<{ host: string; stop: () => void }> {
  const [targetHost, targetPort] = target.split(':')
  const sockets = new Set<Socket>()
  let sent = 0
  let dead = false
  const server = createServer(client => {
    if (dead) return void client.resetAndDestroy()
    const upstream = connect(Number(targetPort), targetHost)
    sockets.add(client).add(upstream)
    client.on('data', chunk => {
      sent += chunk.length
      if (sent > bytes && !dead) {
        dead = true
        for (const socket of sockets) socket.resetAndDestroy()
      }
    })
    client.pipe(upstream).pipe(client)
    client.on('error', () => undefined)
    upstream.on('error', () => undefined)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { host: `127.0.0.1:${port}`, stop: () => server.close() }
}

/** A loopback HTTP proxy to a registry that takes every write but answers every manifest read with HTTP 500. */
async function unreadableProxy(target: string): Promise<{ host: string; stop: () => void }> {
  const [targetHost, targetPort] = target.split(':')
  const server = createHttpServer((request, response) => {
    if (request.method === 'GET' && request.url?.includes('/manifests/')) {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNKNOWN","message":"unknown error"}]}')
      return
    }
    const upstream = httpRequest(
      { host: targetHost, port: Number(targetPort), method: request.method, path: request.url, headers: request.headers },
      answer => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      }
    )
    request.pipe(upstream)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { host: `127.0.0.1:${port}`, stop: () => server.close() }
}

/**
 * A loopback HTTP proxy to a registry that takes every write and lies on reads: `tag` is answered with a manifest of
 * another image, and with `corrupt`, every manifest read by digest gets one byte more than the registry stored.
 */
async function lyingProxy(target: string, { tag, corrupt = false }: { tag?: string; corrupt?: boolean }): Promise<{ host: string; stop: () => void }> {
  const [targetHost, targetPort] = target.split(':')
  const other = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 },
    layers: []
  })
  const server = createHttpServer((request, response) => {
    if (request.method === 'GET' && tag && request.url?.endsWith(`/manifests/${tag}`)) {
      response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(other)
      return
    }
    const altered = corrupt && request.method === 'GET' && /\/manifests\/sha256:/.test(request.url ?? '')
    const upstream = httpRequest(
      { host: targetHost, port: Number(targetPort), method: request.method, path: request.url, headers: request.headers },
      answer => {
        if (!altered || answer.statusCode !== 200) {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          return void answer.pipe(response)
        }
        const chunks: Buffer[] = []
        answer.on('data', chunk => chunks.push(chunk))
        answer.on('end', () => {
          const body = Buffer.concat([...chunks, Buffer.from(' ')])
          response.writeHead(200, { ...answer.headers, 'content-length': String(body.length) }).end(body)
        })
      }
    )
    request.pipe(upstream)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { host: `127.0.0.1:${port}`, stop: () => server.close() }
}

beforeAll(() => requireTools('go', 'docker', 'git', 'docker-registry', 'htpasswd'))

describe('release: push to a real registry', () => {
  let registry: Registry
  let secured: Registry
  beforeAll(async () => {
    registry = await startRegistry()
    secured = await startRegistry({ user: 'ci', password: 's3cret' })
  })
  afterAll(async () => {
    await registry.stop()
    await secured.stop()
  })

  const repo = helloRepository('v1.2.3')
  const tagPush = { GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_REF_NAME: 'v1.2.3', GITHUB_REPOSITORY: 'acme/hello' }

  it('publishes one manifest list for two platforms under both tags; sizes read back equal the reported ones', async () => {
    const name = `${registry.host}/acme/hello`
    const run = await runAction(
      {
        push: 'true',
        platforms: 'linux/amd64,linux/arm64',
        upx: 'lzma',
        // docker/metadata-action writes these as newline lists.
        tags: `${name}:1.2.3\n${name}:latest\n`,
        labels: 'org.opencontainers.image.title=hello\norg.opencontainers.image.description=Hello, world service\n',
        'smoke-test': 'version'
      },
      { workspace: repo.dir, env: tagPush }
    )
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)

    const index = await registryGet(registry.host, 'acme/hello/manifests/1.2.3')
    expect(index.digest).toBe(run.outputs.digest)
    expect((await registryGet(registry.host, 'acme/hello/manifests/latest')).digest).toBe(run.outputs.digest)
    const platforms = index.body.manifests.filter((m: any) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
    expect(platforms.map((m: any) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64'])

    const report = JSON.parse(run.outputs['report-json'])
    for (const descriptor of platforms) {
      const platform = `${descriptor.platform.os}/${descriptor.platform.architecture}`
      const manifest = (await registryGet(registry.host, `acme/hello/manifests/${descriptor.digest}`)).body
      const stored = manifest.config.size + manifest.layers.reduce((sum: number, l: { size: number }) => sum + l.size, 0)
      expect(report.measurement.images.find((i: any) => i.platform === platform).wire).toBe(stored)
      expect(report.published.images.find((i: any) => i.platform === platform).wire).toBe(stored)
      const config = (await registryGet(registry.host, `acme/hello/blobs/${manifest.config.digest}`)).body
      expect(config.config.Labels).toMatchObject({
        'org.opencontainers.image.description': 'Hello, world service',
        'org.opencontainers.image.version': 'v1.2.3',
        'org.opencontainers.image.revision': repo.sha,
        'org.opencontainers.image.source': 'https://github.com/acme/hello'
      })
    }
    expect(run.summary).toContain(`${name}:1.2.3@${run.outputs.digest}`)
    expect(run.summary).toContain(`${name}:latest@${run.outputs.digest}`)
    expect(run.warnings).toEqual([])

    // What a user pulls runs and knows its release.
    docker('image', 'rm', '-f', `${name}:1.2.3`, `${name}:latest`)
    docker('pull', '--platform', 'linux/amd64', `${name}:1.2.3`)
    expect(docker('run', '--rm', '--platform', 'linux/amd64', `${name}:1.2.3`, 'version')).toBe(`Build: ${repo.sha}\nVersion: v1.2.3`)
  })

  it('push-by-digest: the image goes to its repository by digest only, untagged, and the registry holds what was measured', async () => {
    const name = `${registry.host}/acme/bydigest`
    const run = await runAction({ image: name, push: 'true', 'push-by-digest': 'true', 'smoke-test': '' }, { workspace: repo.dir, env: tagPush })
    expect(run.errors).toEqual([])
    const digest = run.outputs.digest
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect((await registryGet(registry.host, `acme/bydigest/manifests/${digest}`)).digest).toBe(digest)
    // No tag was written: the job that merges the digests tags the index.
    expect(await registryTags(registry.host, 'acme/bydigest')).toEqual([])
    const report = JSON.parse(run.outputs['report-json'])
    expect(report.published.references).toEqual([name])
    // The registry's own manifest, read here, sums to what the run measured before the push.
    expect(report.measurement.images.map((i: any) => i.wire)).toEqual([await registryWire(registry.host, 'acme/bydigest', digest)])
    expect(report.published.images[0].manifestDigest).toMatch(/^sha256:/)
    expect(run.summary).toContain(`${name}@${digest}`)
  })

  it('one commit built twice gives one digest (SOURCE_DATE_EPOCH, no provenance)', async () => {
    const name = `${registry.host}/acme/repro`
    const inputs = { push: 'true', platforms: 'linux/amd64,linux/arm64', tags: `${name}:1`, provenance: 'false' }
    // Independent builds, as on two fresh runners: buildkit's cache is content-addressed and would hand
    // back a layer with the same files but another commit's times.
    docker('buildx', 'prune', '-af')
    const first = await runAction(inputs, { workspace: repo.dir, env: tagPush })
    docker('buildx', 'prune', '-af')
    const second = await runAction(inputs, { workspace: repo.dir, env: tagPush })
    expect(first.code).toBe(0)
    expect(second.code).toBe(0)
    expect(second.outputs.digest).toBe(first.outputs.digest)
  })

  it('without a login the push fails with one clear error and no digest', async () => {
    const run = await runAction(
      { push: 'true', tags: `${secured.host}/acme/hello:1` },
      { workspace: repo.dir, env: { ...tagPush, DOCKER_CONFIG: mkdtempSync(path.join(tmpdir(), 'docker-config-')) } }
    )
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    // Found before anything is built: the registry's upload handshake, with the runner's (missing) login.
    expect(run.errors[0]).toContain(
      `push is true, but not every repository can be pushed to, so nothing was built or pushed:\n${secured.host}/acme/hello: no login for ${secured.host} (HTTP 401)`
    )
    expect(run.errors[0]).toContain('docker/login-action')
    expect(run.stdout).not.toContain('go build -trimpath')
  })

  it('with a login the same push works', async () => {
    const config = mkdtempSync(path.join(tmpdir(), 'docker-config-'))
    docker('--config', config, 'login', secured.host, '-u', 'ci', '-p', 's3cret')
    const run = await runAction({ push: 'true', tags: `${secured.host}/acme/hello:1` }, { workspace: repo.dir, env: { ...tagPush, DOCKER_CONFIG: config } })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.digest).toMatch(/^sha256:/)
  })

  it('an unknown registry host is one clear error', async () => {
    const run = await runAction({ push: 'true', tags: 'registry.invalid/acme/hello:1' }, { workspace: repo.dir, env: tagPush })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/registry\.invalid\/acme\/hello: registry\.invalid cannot be reached \(\w+\): check the host in tags/)
    expect(run.stdout).not.toContain('go build -trimpath')
  })

  it('a failing smoke test stops the release before anything is pushed', async () => {
    const broken = goModule({ 'go.mod': 'module example.com/boom\n\ngo 1.22\n', 'main.go': 'package main\n\nimport "os"\n\nfunc main() { os.Exit(1) }\n' })
    const run = await runAction({ push: 'true', tags: `${registry.host}/acme/boom:1`, 'smoke-test': 'version' }, { workspace: broken })
    expect(run.code).toBe(1)
    expect(run.errors[0]).toContain('smoke test')
    expect(run.errors[0]).toContain(`nothing was pushed (the checks above failed): ${registry.host}/acme/boom:1 would have been published`)
    expect(run.summary).toContain('nothing was pushed')
    await expect(registryGet(registry.host, 'acme/boom/manifests/1')).rejects.toThrow('404')
  })

  it('two registries, the second dead: found before the build, nothing published anywhere', async () => {
    // A registry that was there and is gone: its port refuses connections.
    const gone = await startRegistry()
    await gone.stop()
    const tags = `${registry.host}/acme/pair:1\n${gone.host}/acme/pair:1`
    const run = await runAction({ push: 'true', tags }, { workspace: repo.dir })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toContain(
      `push is true, but not every repository can be pushed to, so nothing was built or pushed:\n${gone.host}/acme/pair: ${gone.host} cannot be reached (ECONNREFUSED)`
    )
    // The reachable registry is not blamed, and holds nothing.
    expect(run.errors[0]).not.toContain(`${registry.host}/acme/pair:`)
    await expect(registryGet(registry.host, 'acme/pair/manifests/1')).rejects.toThrow('404')
  })

  it('a registry that dies mid-push: one sentence saying what got out, and the report', async () => {
    // A registry of its own: no blob is there to be mounted, so the layers really go up through the proxy.
    const fresh = await startRegistry()
    const proxy = await dyingProxy(fresh.host, 400_000)
    try {
      const run = await runAction({ push: 'true', tags: `${proxy.host}/acme/midway:1` }, { workspace: repo.dir })
      expect(run.code).toBe(1)
      expect(run.errors).toHaveLength(1)
      expect(run.errors[0]).toMatch(
        /^push failed: the registry of 127\.0\.0\.1:\d+\/acme\/midway dropped the connection during the push: check that it is up and retry\. Nothing was published\./
      )
      expect(run.summary).toContain('push failed')
      expect(Number(run.outputs['image-size'])).toBeGreaterThan(1_000_000)
      await expect(registryGet(fresh.host, 'acme/midway/manifests/1')).rejects.toThrow('404')
    } finally {
      proxy.stop()
      await fresh.stop()
    }
  })

  it('a complete push whose read-back fails is reported as published, with its digest, and fails for the read-back alone', async () => {
    const fresh = await startRegistry()
    const proxy = await unreadableProxy(fresh.host)
    try {
      const tags = [`${proxy.host}/acme/readback:1`, `${proxy.host}/acme/readback:latest`]
      const run = await runAction({ push: 'true', tags: tags.join('\n') }, { workspace: repo.dir })
      expect(run.code).toBe(1)
      expect(run.errors).toHaveLength(1)
      expect(run.errors[0]).toMatch(
        /^the push is complete \(.*acme\/readback:1, .*acme\/readback:latest at sha256:[0-9a-f]{64}\), but reading it back from the registry failed 3 times/
      )
      // The registry itself, read directly, serves what the outputs and the report name.
      const stored = await registryGet(fresh.host, 'acme/readback/manifests/latest')
      expect(run.outputs.digest).toBe(stored.digest)
      expect(run.summary).toContain('#### Published')
      expect(run.summary).toContain(`${tags[0]}@${stored.digest}`)
    } finally {
      proxy.stop()
      await fresh.stop()
    }
  })

  it('a tag the registry serves with other bytes fails the step, naming the tag and both digests; the push is still reported', async () => {
    const fresh = await startRegistry()
    const proxy = await lyingProxy(fresh.host, { tag: 'latest' })
    try {
      const tags = [`${proxy.host}/acme/lying:1`, `${proxy.host}/acme/lying:latest`]
      const run = await runAction({ push: 'true', tags: tags.join('\n'), 'smoke-test': '' }, { workspace: repo.dir })
      expect(run.code).toBe(1)
      expect(run.errors).toHaveLength(1)
      const pushed = (await registryGet(fresh.host, 'acme/lying/manifests/latest')).digest
      expect(run.errors[0]).toContain(`but the registry does not serve what was pushed and measured: ${tags[1]} serves sha256:`)
      expect(run.errors[0]).toContain(`, not the pushed ${pushed}`)
      expect(run.errors[0]).not.toContain(`${tags[0]} serves`)
      expect(run.outputs.digest).toBe(pushed)
    } finally {
      proxy.stop()
      await fresh.stop()
    }
  })

  it('a manifest served with bytes that do not hash to its digest fails the step and names both digests', async () => {
    const fresh = await startRegistry()
    const proxy = await lyingProxy(fresh.host, { corrupt: true })
    try {
      const run = await runAction({ push: 'true', tags: `${proxy.host}/acme/altered:1`, 'smoke-test': '' }, { workspace: repo.dir })
      expect(run.code).toBe(1)
      const pushed = (await registryGet(fresh.host, 'acme/altered/manifests/1')).digest
      expect(run.errors[0]).toMatch(
        new RegExp(`does not serve what was pushed and measured: the registry answered ${pushed} with bytes whose digest is sha256:[0-9a-f]{64}`)
      )
    } finally {
      proxy.stop()
      await fresh.stop()
    }
  })

  it('a broken size budget stops the push: nothing is published, the report says why', async () => {
    const run = await runAction({ push: 'true', tags: `${registry.host}/acme/over:1`, 'max-size': '1KB' }, { workspace: repo.dir })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/^Size budget broken:\nlinux\/amd64: .*over max-size/)
    expect(run.errors[0]).toContain(`nothing was pushed (the size budget is broken): ${registry.host}/acme/over:1 would have been published`)
    expect(run.outputs.gate).toBe('fail')
    expect(run.outputs.digest).toBe('')
    await expect(registryGet(registry.host, 'acme/over/manifests/1')).rejects.toThrow('404')
  })

  it('push without tags is an input error before any build', async () => {
    const run = await runAction({ push: 'true' }, { workspace: repo.dir })
    expect(run.code).toBe(1)
    expect(run.errors[0]).toContain('push is true but tags is empty')
  })
})
