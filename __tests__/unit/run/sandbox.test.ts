import { createPlan } from '../../../src/run/sandbox.js'

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
    // Only the image the run loaded: one of that name is never pulled from a registry.
    expect(args[args.indexOf('--pull') + 1]).toBe('never')
    expect(args[args.indexOf('--cap-drop') + 1]).toBe('ALL')
    expect(args).toContain('no-new-privileges')
    expect(args[args.indexOf('--label') + 1]).toBe('go-slim-image.run=go-slim-image-x')
    // What looks like docker's options after the image is the program's.
    expect(args.slice(args.indexOf('r/app:1'))).toEqual(['r/app:1', '--privileged', '-v', '/:/host'])
    expect(args.filter(a => a === '-v' || a === '--volume' || a === '--env' || a === '-e' || a === '--mount')).toEqual(['-v'])
  })
})
