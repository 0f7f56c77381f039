import { goEnv, parsePlatform } from '../../../src/process/platform.js'

describe('platform', () => {
  it('normalises and sets GOARM', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ id: 'linux/arm64', os: 'linux', arch: 'arm64' })
    expect(goEnv(parsePlatform('linux/arm/v6'))).toEqual({ GOOS: 'linux', GOARCH: 'arm', GOARM: '6' })
    expect(goEnv(parsePlatform('linux/amd64'))).toEqual({ GOOS: 'linux', GOARCH: 'amd64' })
  })
})
