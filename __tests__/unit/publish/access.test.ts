import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { dockerCredentials, parseChallenge, registryUrl } from '../../../src/publish/access.js'
import { pushTarget } from '../../../src/settings/references.js'

describe('where a push goes', () => {
  it.each([
    ['ghcr.io/acme/app:1.2.3', { host: 'ghcr.io', name: 'acme/app' }],
    ['127.0.0.1:5000/acme/app:1', { host: '127.0.0.1:5000', name: 'acme/app' }],
    ['localhost/app', { host: 'localhost', name: 'app' }],
    ['acme/app:1', { host: 'docker.io', name: 'acme/app' }],
    ['nginx:1', { host: 'docker.io', name: 'library/nginx' }]
  ])('%s', (reference, expected) => expect(pushTarget(reference)).toEqual(expected))

  it('speaks HTTP to loopback registries only, as Docker does', () => {
    expect(registryUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000')
    expect(registryUrl('ghcr.io')).toBe('https://ghcr.io')
    expect(registryUrl('docker.io')).toBe('https://registry-1.docker.io')
  })
})

describe('the runner login', () => {
  it('is read from the auths that docker login wrote', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'docker-config-'))
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('bot:s3:cret').toString('base64') } } }))
    expect(dockerCredentials('ghcr.io', dir)).toEqual({ username: 'bot', secret: 's3:cret' })
    expect(dockerCredentials('quay.io', dir)).toBeUndefined()
  })

  it('reads a bearer challenge', () => {
    expect(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull' }
    })
  })
})
