/**
 * What a pull request's code prints and what a repository holds stay data in every channel the action writes to:
 * the log (no workflow command), the tools' environment (no job token). Checked on what the runner would read
 * of the log (its parsing rules, modelled in runner-log.ts) and on what a tool really received.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { smokeTest } from '../../src/run/smoke.js'
import { runnerCommands, type RunnerCommand } from '../runner-log.js'
import { docker, git, goModule, helloRepository, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git'))

// Workflow commands a hostile program prints: each would fake an annotation, hide the log, or set the post step's state.
const COMMANDS = [
  '::warning::pwned by the smoke test',
  '  ::add-mask::Go',
  '::save-state name=workDir::/tmp/victim',
  '##[error]pwned, the older form',
  '::stop-commands::'
]

/** The action's own failure: one line (the toolkit escapes line ends), quoting what the program said. */
const ours = (c: RunnerCommand) => c.name === 'error' && c.line.startsWith('::error::') && !c.data.startsWith('pwned')

/** Commands the runner would carry out that the action did not issue itself. */
const foreign = (log: string) =>
  runnerCommands(log).filter(c => !ours(c) && (/pwned|victim|^Go$/.test(c.data) || ['add-mask', 'save-state', 'set-output'].includes(c.name)))

describe('the log carries no workflow command from outside', () => {
  it("a smoke test printing workflow commands issues none: the runner reads only the action's own", async () => {
    const dir = goModule({
      'go.mod': 'module example.com/loud\n\ngo 1.22\n',
      'main.go': `package main

import (
	"fmt"
	"os"
)

func main() {
	for _, line := range ${goStrings(COMMANDS)} {
		fmt.Println(line)
		fmt.Fprintln(os.Stderr, line)
	}
	os.Exit(3)
}
`
    })
    git(dir, 'init', '-q')
    const run = await runAction({ 'smoke-test': 'version', image: `slim-test/commands-${Date.now()}`, load: 'false' }, { workspace: dir })
    expect(run.code).toBe(1)
    // What it printed is in the log, for a reader; the runner acted on none of it, and its own error still stands.
    expect(run.stdout).toContain('::warning::pwned by the smoke test')
    expect(foreign(run.stdout)).toEqual([])
    const errors = runnerCommands(run.stdout).filter(c => c.name === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0].data).toMatch(/^smoke test: .* exited with 3:/)
  })

  it('a file name holding a command reaches the log through go build as text only', async () => {
    const dir = goModule({
      'go.mod': 'module example.com/names\n\ngo 1.22\n',
      'main.go': 'package main\n\nfunc main() {}\n',
      'a\n::warning::pwned by a file name\n.go': 'package main\n\nfunc broken( {\n'
    })
    git(dir, 'init', '-q')
    const run = await runAction({ image: `slim-test/names-${Date.now()}`, load: 'false' }, { workspace: dir })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('::warning::pwned by a file name')
    expect(foreign(run.stdout)).toEqual([])
    expect(runnerCommands(run.stdout).filter(c => c.name === 'error')).toHaveLength(1)
  })
})

describe('long values are refused before anything is built, and never echoed whole', () => {
  it('a 100 kB args: one error naming it, its length and its start, no go build, no annotation of 100 kB', async () => {
    const run = await runAction({ args: `--flag ${'a'.repeat(100_000)}`, 'smoke-test': 'version' }, { workspace: helloRepository().dir })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toMatch(/args is 100007 characters, over the 8192 it may have \(it starts "--flag a+…"\): shorten it/)
    expect(run.errors[0].length).toBeLessThan(400)
    expect(run.stdout).not.toMatch(/^\$ go build/m)
    expect(run.stdout.length).toBeLessThan(20_000)
  })

  it('an unknown provenance attribute is refused before the build, naming the ones buildx takes', async () => {
    const run = await runAction({ provenance: 'mode=max,foo=bar' }, { workspace: helloRepository().dir })
    expect(run.code).toBe(1)
    expect(run.errors[0]).toMatch(/provenance "mode=max,foo=bar": foo is not one of buildx's provenance attributes/)
    expect(run.stdout).not.toMatch(/^\$ go build/m)
  })
})

describe("tools never get the job's tokens", () => {
  it('a -toolexec program sees the build environment without the GitHub token, the runtime or the OIDC token', async () => {
    const seen = mkdtempSync(path.join(tmpdir(), 'toolexec-env-'))
    const script = path.join(seen, 'toolexec.sh')
    writeFileSync(script, `#!/bin/sh\nenv >> ${seen}/env\nexec "$@"\n`)
    chmodSync(script, 0o755)
    const dir = goModule({ 'go.mod': 'module example.com/plain\n\ngo 1.22\n', 'main.go': 'package main\n\nfunc main() {}\n' })
    git(dir, 'init', '-q')
    const run = await runAction(
      { 'build-flags': `-toolexec=${script}`, image: `slim-test/toolexec-${Date.now()}`, load: 'false', 'github-token': 'ghs_input_token_of_the_job' },
      {
        workspace: dir,
        env: {
          ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret',
          GITHUB_TOKEN: 'ghs_env_token',
          GOFLAGS: '-buildvcs=false'
        }
      }
    )
    expect(run.errors).toEqual([])
    const env = readFileSync(path.join(seen, 'env'), 'utf8')
    // The tool ran, with what a build needs.
    expect(env).toMatch(/^PATH=/m)
    expect(env).toMatch(/^CGO_ENABLED=0$/m)
    expect(env).not.toMatch(/ghs_|runtime-secret|oidc-secret|^INPUT_/m)
  })
})

describe('the smoke test runs the image the run loaded, never one of that name from a registry', () => {
  it('a tag the engine lost is loaded again, not pulled', async () => {
    const loaded = `slim-test/loaded-${Date.now()}`
    expect((await runAction({ image: loaded }, { workspace: helloRepository().dir })).code).toBe(0)
    const reference = `slim-test/lost-${Date.now()}:0.1.0`
    const spec = { name: `lost-${Date.now()}`, runId: 'go-slim-image-lost', reference, platform: 'linux/amd64', args: ['version'] }
    // Without a way to load it again: the engine's own answer, no pull tried.
    const refused = await smokeTest(spec, 30)
    expect(refused.result.error).toMatch(/No such image/)
    expect(refused.result.error).not.toMatch(/Unable to find image|Pulling|registry-1/)
    let reloads = 0
    const { result, passed } = await smokeTest({ ...spec, name: `${spec.name}-2` }, 30, async () => {
      reloads++
      docker('tag', `${loaded}:0.1.0`, reference)
    })
    await passed?.remove()
    expect(reloads).toBe(1)
    expect(result.error).toBeUndefined()
    expect(result.stdout).toMatch(/^Version: 0\.1\.0$/m)
    docker('image', 'rm', `${loaded}:0.1.0`, reference)
  })
})

function goStrings(lines: string[]): string {
  return `[]string{${lines.map(line => JSON.stringify(line)).join(', ')}}`
}
