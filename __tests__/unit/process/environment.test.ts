import { toolEnvironment } from '../../../src/process/runner.js'

describe('toolEnvironment', () => {
  const job = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    GOFLAGS: '-mod=mod',
    DOCKER_CONFIG: '/home/runner/.docker',
    GITHUB_WORKSPACE: '/w',
    'INPUT_GITHUB-TOKEN': 'ghs_x',
    INPUT_IMAGE: 'acme/x',
    ACTIONS_RUNTIME_TOKEN: 'runtime',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
    ACTIONS_CACHE_URL: 'http://cache/',
    GITHUB_TOKEN: 'ghs_y',
    github_token: 'ghs_z'
  }

  it("leaves the job's tokens out and everything a tool reads in", () => {
    expect(toolEnvironment(job)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/runner',
      GOFLAGS: '-mod=mod',
      DOCKER_CONFIG: '/home/runner/.docker',
      GITHUB_WORKSPACE: '/w',
      ACTIONS_CACHE_URL: 'http://cache/'
    })
  })

  it("adds what the plan names, last, even a name it would leave out (the cache worker's runtime token)", () => {
    expect(toolEnvironment(job, { GOOS: 'linux', ACTIONS_RUNTIME_TOKEN: 'given' })).toMatchObject({ GOOS: 'linux', ACTIONS_RUNTIME_TOKEN: 'given' })
  })
})
