import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { buildTimer, parseRounds, timerPlan } from '../../../src/run/timer.js'
import { hostPlatform, parsePlatform } from '../../../src/process/platform.js'

describe('the start-up timer', () => {
  it("is built static for the smoke test's platform, outside the module and its GOFLAGS", () => {
    const plan = timerPlan('/w/startup-timer.go', '/w/startup-timer', parsePlatform('linux/arm64'))
    expect(plan.args).toEqual(['build', '-trimpath', '-ldflags=-s -w', '-o', '/w/startup-timer', '/w/startup-timer.go'])
    expect(plan.env).toMatchObject({ CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOWORK: 'off', GOOS: 'linux', GOARCH: 'arm64' })
    expect(plan.cwd).toBe('/w')
  })

  it('starts both binaries in turns, round after round, until the most runs or the budget past the least', async () => {
    const timer = await buildTimer(mkdtempSync(`${tmpdir()}/timer-`), hostPlatform()!)
    const rounds = (most: number, least: number, budgetMs: number) =>
      parseRounds(execFileSync(timer, [String(most), String(least), String(budgetMs), '/bin/true', '/bin/sleep', '--', '0.05'], { encoding: 'utf8' }))
    const all = rounds(4, 2, 10_000)
    expect(all).toHaveLength(4)
    // /bin/true is given the same argument and ignores it; sleep takes its 50 ms each time.
    for (const round of all) {
      expect(round.plain).toBeGreaterThanOrEqual(50)
      expect(round.packed).toBeLessThan(round.plain)
    }
    // Two rounds take over 100 ms: past a 60 ms budget, the least is enough.
    expect(rounds(11, 2, 60)).toHaveLength(2)
    expect(rounds(11, 3, 60)).toHaveLength(3)
    const failed = spawnSync(timer, ['2', '1', '0', '/bin/true', '/bin/false', '--'], { encoding: 'utf8' })
    expect(failed.status).toBe(3)
    expect(failed.stderr).toContain('/bin/false did not exit 0')
    expect(parseRounds(failed.stdout)).toEqual([])
  })

  it('reads nanoseconds as milliseconds, and nothing else', () => {
    expect(parseRounds('1500000 250000\nnoise\n2000000 1000000\n')).toEqual([
      { packed: 1.5, plain: 0.25 },
      { packed: 2, plain: 1 }
    ])
  })
})
