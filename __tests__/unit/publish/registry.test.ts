import { explainPushFailure } from '../../../src/publish/registry.js'

describe('a stalled registry', () => {
  it('tells a registry that stalled from one that cannot be reached', () => {
    expect(
      explainPushFailure('uploading sha256:ab: The operation was aborted due to timeout: the registry gave no answer in time', ['r.example/acme/app:1'])
    ).toBe('the registry of r.example/acme/app stopped answering during the push: check that it is up and retry')
    expect(explainPushFailure('fetch failed: the registry cannot be reached (ENOTFOUND)', ['r.example/acme/app:1'])).toBe(
      'the registry of r.example/acme/app cannot be reached: check the host name in tags'
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
