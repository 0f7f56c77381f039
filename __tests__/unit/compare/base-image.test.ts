import { manifestReference } from '../../../src/settings/references.js'

describe('the base image reference, as the registry API wants it', () => {
  it.each([
    ['ghcr.io/acme/app:main', 'ghcr.io', 'acme/app', 'main'],
    ['127.0.0.1:5000/acme/app', '127.0.0.1:5000', 'acme/app', 'latest'],
    ['acme/app:1.2@sha256:' + 'a'.repeat(64), 'docker.io', 'acme/app', 'sha256:' + 'a'.repeat(64)],
    ['nginx', 'docker.io', 'library/nginx', 'latest']
  ])('%s', (reference, host, name, ref) => {
    expect(manifestReference(reference)).toEqual({ target: { host, name }, ref })
  })
})
