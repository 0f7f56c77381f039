import { timedPhases } from '../../../src/process/phase.js'

describe('timedPhases', () => {
  it('adds up a phase that runs twice, as a second link does once the version variable is found', async () => {
    const timings: Record<string, number> = {}
    const phase = timedPhases(timings)
    const wait = (ms: number) => () => new Promise(resolve => setTimeout(resolve, ms))
    await phase('go build', wait(60))
    await phase('upx', wait(1))
    await phase('go build', wait(60))
    expect(timings['go build']).toBeGreaterThanOrEqual(110)
    expect(Object.keys(timings)).toEqual(['go build', 'upx'])
  })
})
