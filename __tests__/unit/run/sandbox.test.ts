import { createPlan, elapsedMs, parseTimes } from '../../../src/run/sandbox.js'

describe('the sandbox plan', () => {
  it('runs the smoke test in the sandbox as the image user, with the arguments after the image', () => {
    const args = createPlan({
      name: 'n',
      runId: 'go-slim-image-x',
      reference: 'r/app:1',
      platform: 'linux/amd64',
      args: ['--privileged', '-v', '/:/host']
    }).args
    expect(args).not.toContain('--user')
    expect(args[args.indexOf('--network') + 1]).toBe('none')
    expect(args[args.indexOf('--cap-drop') + 1]).toBe('ALL')
    expect(args).toContain('no-new-privileges')
    expect(args[args.indexOf('--label') + 1]).toBe('go-slim-image.run=go-slim-image-x')
    // What looks like docker's options after the image is the program's.
    expect(args.slice(args.indexOf('r/app:1'))).toEqual(['r/app:1', '--privileged', '-v', '/:/host'])
    expect(args.filter(a => a === '-v' || a === '--volume' || a === '--env' || a === '-e' || a === '--mount')).toEqual(['-v'])
  })

  it("times a run from the engine's start and exit times, to the nanosecond", () => {
    expect(elapsedMs('2026-12-01T12:47:45.109236338Z', '2026-12-01T12:47:45.114230316Z')).toBeCloseTo(4.993978, 5)
    expect(elapsedMs('2026-12-01T12:47:59.9Z', '2026-12-01T12:48:00.1Z')).toBeCloseTo(200, 5)
    expect(parseTimes('2026-12-01T12:47:43.683465252Z 2026-12-01T12:47:43.836898401Z 0\n2026-12-01T12:47:45Z 2026-12-01T12:47:45.5Z 3\n')).toEqual([
      { ms: expect.closeTo(153.433149, 5), code: 0 },
      { ms: 500, code: 3 }
    ])
  })
})
