import { judge } from '../../../src/report/gate.js'
import { parseIncrease, parseSize } from '../../../src/settings/budget.js'

const describeBytes = (n: number) => `${n}B`

describe('budget inputs', () => {
  it.each([
    ['8MB', 8_000_000],
    ['5MiB', 5 * 1024 * 1024],
    ['100KB', 100_000],
    ['1.5 GiB', 1.5 * 1024 ** 3],
    ['123456', 123456],
    ['42b', 42]
  ])('%s is %d bytes', (text, bytes) => expect(parseSize(text, 'max-size')).toBe(bytes))
  it('reads percent or bytes for max-increase', () => {
    expect(parseIncrease('5%', 'max-increase')).toEqual({ percent: 5 })
    expect(parseIncrease('100KB', 'max-increase')).toEqual({ bytes: 100_000 })
  })
  it.each(['8 megabytes', '-1MB', '5 %%', ''])('refuses %j', text =>
    expect(() => parseIncrease(text, 'max-increase')).toThrow('is neither a percentage like 5% nor a size like 100KB')
  )
})

describe('judge', () => {
  const sizes = [
    { platform: 'linux/amd64', wire: 2_000_000, baseWire: 1_900_000 },
    { platform: 'linux/arm64', wire: 1_800_000 }
  ]
  it('passes within budget', () => {
    expect(judge(sizes, { maxSize: 2_000_000, maxIncrease: { percent: 6 } }, describeBytes)).toMatchObject({ result: 'pass', failures: [] })
  })
  it('names platform, figures and limit when broken', () => {
    const outcome = judge(sizes, { maxSize: 1_900_000, maxIncrease: { bytes: 50_000 } }, describeBytes)
    expect(outcome.result).toBe('fail')
    expect(outcome.failures).toEqual([
      'linux/amd64: the image is 2000000B (2000000 bytes) on the wire, over max-size 1900000B (1900000 bytes)',
      'linux/amd64: the image grew by 100000B (100000 bytes) (1900000B (1900000 bytes) → 2000000B (2000000 bytes)), over max-increase 50000B (50000 bytes)'
    ])
  })
  it('judges percent growth', () => {
    expect(judge(sizes, { maxIncrease: { percent: 5 } }, describeBytes).failures[0]).toContain('grew by 5.26%')
  })
  it('skips the relative budget without a baseline, and everything without a budget', () => {
    const outcome = judge([sizes[1]], { maxIncrease: { percent: 1 } }, describeBytes)
    expect(outcome.result).toBe('skipped')
    expect(outcome.skipped[0]).toContain('no baseline')
    expect(judge(sizes, {}, describeBytes).result).toBe('skipped')
  })
})
