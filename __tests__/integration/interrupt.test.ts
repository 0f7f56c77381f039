/** Cancelled jobs and killed runs leave nothing behind: no tool running, no folder, no worktree in the user's repository. */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runPost } from '../../scripts/run-action.mjs'
import { git, helloRepository, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'upx', 'docker', 'git'))

/** Processes whose command line mentions `text`, this test's own pgrep left out. */
function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
  return out.split('\n').filter(line => line.includes(text) && !line.includes('ps -eo'))
}

const worktrees = (dir: string) =>
  git(dir, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter(line => line.startsWith('worktree '))

function pullRequestEvent(repo: string, base: string): string {
  const head = git(repo, 'rev-parse', 'HEAD')
  const event = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
  writeFileSync(event, JSON.stringify({ number: 1, pull_request: { number: 1, base: { ref: 'main', sha: base }, head: { ref: 'x', sha: head } } }))
  return event
}

/** examples/hello with a second commit: a pull request whose base is the first. */
function grownRepository() {
  const repo = helloRepository()
  writeFileSync(path.join(repo.dir, 'extra.go'), 'package main\n\nvar extra = "grown"\n')
  git(repo.dir, 'add', '-A')
  git(repo.dir, 'commit', '-qm', 'grow')
  return { repo, base: repo.sha }
}

describe('interrupted runs', () => {
  it('SIGTERM during UPX ends upx too, and removes the run folder', async () => {
    const repo = helloRepository()
    const run = await runAction({ upx: 'ultra-brute' }, { workspace: repo.dir, signalWhen: { pattern: /^\$ .*upx .*--ultra-brute/m } })
    expect(run.code).toBe(143)
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(processesMentioning(run.runnerTemp)).toEqual([])
    expect(existsSync(run.state.workDir)).toBe(false)
  })

  it("SIGTERM during the base build removes the base's checkout, and the repository holds nothing of it", async () => {
    const { repo, base } = grownRepository()
    const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent(repo.dir, base) }
    const run = await runAction({ comment: 'false' }, { workspace: repo.dir, env, signalWhen: { pattern: /base commit [0-9a-f]{40}[\s\S]*\$ go build/ } })
    expect(run.code).toBe(143)
    expect(worktrees(repo.dir)).toEqual([`worktree ${repo.dir}`])
    expect(existsSync(run.state.workDir)).toBe(false)
  })

  it('a worktree left by a killed run is removed by the next run', async () => {
    const { repo, base } = grownRepository()
    // What `kill -9` during a base build leaves: a registered worktree of this action.
    const stale = path.join(mkdtempSync(path.join(tmpdir(), 'go-slim-image-')), 'base-worktree')
    git(repo.dir, 'worktree', 'add', '--detach', stale, base)
    expect(worktrees(repo.dir)).toHaveLength(2)
    const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent(repo.dir, base) }
    const run = await runAction({ comment: 'false' }, { workspace: repo.dir, env })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`removed the worktree ${stale}, left by an interrupted run`)
    expect(worktrees(repo.dir)).toEqual([`worktree ${repo.dir}`])
  })

  it('the post step removes the run folder once the job is over', async () => {
    const repo = helloRepository()
    const run = await runAction({ load: 'false' }, { workspace: repo.dir })
    expect(run.code).toBe(0)
    expect(existsSync(run.state.workDir)).toBe(true)
    expect(run.state.workDir.startsWith(run.runnerTemp)).toBe(true)
    const post = await runPost(run, { workspace: repo.dir })
    expect(post.code).toBe(0)
    expect(existsSync(run.state.workDir)).toBe(false)
  })
})
