import { sizeDifferences } from '../../../src/publish/readback.js'

describe('the read-back held to the measurement', () => {
  const measured = [
    { platform: 'linux/amd64', wire: 1000 },
    { platform: 'linux/arm64', wire: 900 }
  ]
  const where = '127.0.0.1:5000/acme/app@sha256:abc'

  it('is silent when every platform the registry serves sums to what was measured', () => {
    const stored = measured.map(m => ({ ...m, manifestDigest: 'sha256:x' }))
    expect(sizeDifferences(measured, stored, where)).toEqual([])
  })

  it('names both figures of a platform that differs, a platform missing and one not measured', () => {
    const stored = [
      { platform: 'linux/amd64', wire: 1001, manifestDigest: 'sha256:x' },
      { platform: 'linux/s390x', wire: 5, manifestDigest: 'sha256:y' }
    ]
    expect(sizeDifferences(measured, stored, where)).toEqual([
      'linux/amd64: the manifests 127.0.0.1:5000/acme/app@sha256:abc serves list 1001 bytes, but 1000 were measured before the push',
      '127.0.0.1:5000/acme/app@sha256:abc holds no linux/arm64 image (it holds linux/amd64, linux/s390x)',
      '127.0.0.1:5000/acme/app@sha256:abc holds linux/s390x, which was not measured'
    ])
  })
})
