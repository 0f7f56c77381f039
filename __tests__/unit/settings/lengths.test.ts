import { runnerInputs } from '../../../scripts/action-inputs.mjs'
import { parseSbom, attestationProblem } from '../../../src/settings/publish.js'
import { boundInputs, INPUT_LIMITS, MERGE_INPUT_LIMITS } from '../../../src/settings/reading.js'
import { readSettings } from '../../../src/settings/settings.js'
import { InputError } from '../../../src/settings/reading.js'
import { actionInputs } from '../inputs.js'

function problemsOf(given: Record<string, string>, limits = INPUT_LIMITS): string[] {
  return boundInputs(actionInputs(given, undefined, limits === INPUT_LIMITS ? '.' : 'merge'), limits).problems
}

describe('every input has a length, checked before anything is parsed', () => {
  it.each([
    ['the build action', '.', INPUT_LIMITS],
    ['the merge action', 'merge', MERGE_INPUT_LIMITS]
  ])('%s: each declared input has a limit, and no other', (_, action, limits) => {
    expect(Object.keys(limits).sort()).toEqual(Object.keys(runnerInputs({}, { githubToken: '', action })).sort())
  })

  it('refuses a 100 kB args and smoke-test, naming each, its length and its start only', () => {
    const problems = problemsOf({ args: 'a'.repeat(100_000), 'smoke-test': `version ${'b'.repeat(100_000)}` })
    expect(problems).toEqual([
      `args is 100000 characters, over the 8192 it may have (it starts "${'a'.repeat(40)}…"): shorten it`,
      `smoke-test is 100008 characters, over the 8192 it may have (it starts "version ${'b'.repeat(32)}…"): shorten it`
    ])
  })

  it('never quotes a token, and shows a line break of the start as a space', () => {
    expect(problemsOf({ 'github-token': `ghs_${'x'.repeat(5000)}`, labels: `a=b\n${'c'.repeat(20_000)}` })).toEqual([
      `labels is 20004 characters, over the 16384 it may have (it starts "a=b ${'c'.repeat(36)}…"): shorten it`,
      'github-token is 5004 characters, over the 4096 it may have: shorten it'
    ])
  })

  it("reports a long value with the other inputs' problems, the long one read as not given", () => {
    try {
      readSettings(actionInputs({ builder: '--debug', 'binary-name': 'b'.repeat(100_000), 'working-directory': 'examples/hello' }), {
        GITHUB_WORKSPACE: process.cwd()
      })
      throw new Error('no error')
    } catch (error) {
      expect((error as InputError).problems).toEqual([
        `binary-name is 100000 characters, over the 1024 it may have (it starts "${'b'.repeat(40)}…"): shorten it`,
        expect.stringMatching(/^builder "--debug" is not a builder name/)
      ])
    }
  })

  it('lets values of real sizes through', () => {
    expect(problemsOf({ labels: 'org.opencontainers.image.description=A service\n'.repeat(100), tags: 'ghcr.io/acme/shop:1.2.3\n'.repeat(50) })).toEqual([])
  })
})

describe("provenance and sbom attributes are buildx's, checked before the build", () => {
  it.each(['mode=max', 'mode=min,version=v1', 'builder-id=https://github.com/acme/shop/actions/runs/1,reproducible=true'])('takes provenance %s', value =>
    expect(attestationProblem('provenance', value)).toBeUndefined()
  )
  it.each([
    ['foo=bar', /foo is not one of buildx's provenance attributes \(mode, version, builder-id/],
    ['mode=full', /mode must be min or max/],
    ['version=v2', /version must be v0\.2 or v1/]
  ])('refuses provenance %s', (value, why) => expect(attestationProblem('provenance', value)).toMatch(why))

  it('takes a generator and scan switches for the SBOM, and refuses what buildx would', () => {
    expect(parseSbom('generator=docker/buildkit-syft-scanner,scan-context=true', false)).toEqual({
      kind: 'buildkit',
      value: 'generator=docker/buildkit-syft-scanner,scan-context=true'
    })
    expect(() => parseSbom('scan-context=maybe', false)).toThrow(/sbom "scan-context=maybe" must be true/)
    expect(attestationProblem('sbom', 'scan-context=maybe')).toMatch(/scan-context must be true or false/)
  })
})
