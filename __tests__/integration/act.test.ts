/**
 * The action as GitHub starts it: nektos/act reads this repository's workflow and action.yml, makes the inputs,
 * runs `runs.using: node24`, and later steps read the outputs. On both image stores, with the pull request's
 * comment sent to the loopback GitHub stand-in.
 */
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FakeGitHub } from './github-fake.js'
import { ENGINES, git, NODE24, requireTools, ROOT } from './harness.js'

beforeAll(() => requireTools('act', 'go', 'upx', 'docker', 'git'))

const GOCACHE = execFileSync('go', ['env', 'GOCACHE'], { encoding: 'utf8' }).trim()

/** The build, then the merge action on its report file, as a workflow uses them (the merge's main is ../dist/merge). */
const MERGED_WORKFLOW = `name: Merged
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: slim
        uses: ./
        with:
          working-directory: examples/hello
          comment: false
      - id: merged
        uses: ./merge
        with:
          reports: \${{ steps.slim.outputs.report-file }}
          max-size: 5MB
      - env:
          IMAGE_SIZE: \${{ steps.slim.outputs.image-size }}
          MERGED_SIZE: \${{ steps.merged.outputs.image-size }}
          GATE: \${{ steps.merged.outputs.gate }}
          REPORT: \${{ steps.merged.outputs.report }}
        run: |
          for name in IMAGE_SIZE MERGED_SIZE GATE; do printf 'seen %s=%s\\n' "$name" "\${!name}"; done
          printf 'seen REPORT=%s\\n' "$(printf '%s' "$REPORT" | head -1)"
`

/** A repository shaped like this one where it matters to the workflow, with a main and a pull request branch. */
function repository(): { dir: string; main: string; head: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'act-repo-'))
  for (const item of ['action.yml', 'merge/action.yml', 'dist', 'examples/hello', '.github/workflows/example.yml'])
    cpSync(path.join(ROOT, item), path.join(dir, item), { recursive: true })
  writeFileSync(path.join(dir, '.github/workflows/merged.yml'), MERGED_WORKFLOW)
  // The same workflow with baseline-cache off, committed: a stray file would keep the push from storing its measurement.
  const workflow = readFileSync(path.join(ROOT, '.github/workflows/example.yml'), 'utf8')
  const rebuild = workflow.replace(/^( +)max-increase: .*$/m, match => `${match}\n${/^ +/.exec(match)![0]}baseline-cache: false`)
  if (rebuild === workflow) throw new Error('example.yml has no max-increase line to add baseline-cache after')
  writeFileSync(path.join(dir, '.github/workflows/rebuild.yml'), rebuild)
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'hello')
  // act copies the checkout of its own repository instead of cloning it when origin is on github.com.
  git(dir, 'remote', 'add', 'origin', 'https://github.com/acme/hello-service.git')
  const main = git(dir, 'rev-parse', 'HEAD')
  git(dir, 'checkout', '-q', '-b', 'grow')
  // A small, real growth: a package of its own using encoding/base32.
  mkdirSync(path.join(dir, 'examples/hello/internal/token'), { recursive: true })
  writeFileSync(
    path.join(dir, 'examples/hello/internal/token/token.go'),
    'package token\n\nimport "encoding/base32"\n\nfunc Encode(b []byte) string { return base32.StdEncoding.EncodeToString(b) }\n'
  )
  writeFileSync(
    path.join(dir, 'examples/hello/token.go'),
    'package main\n\nimport (\n\t"net/http"\n\n\t"github.com/go-slim-image/hello/internal/token"\n)\n\nfunc init() {\n\thttp.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(token.Encode([]byte(r.URL.Path)))) })\n}\n'
  )
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'add a token endpoint')
  const head = git(dir, 'rev-parse', 'HEAD')
  git(dir, 'checkout', '-q', 'main')
  return { dir, main, head }
}

/** Stands in for actions that need the internet (setup-go); the workflow skips them under act. */
function offlineStandIn(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'act-stand-in-'))
  writeFileSync(path.join(dir, 'action.yml'), 'name: offline stand-in\ndescription: never runs under act\nruns:\n  using: node24\n  main: index.js\n')
  writeFileSync(path.join(dir, 'index.js'), "throw new Error('skip this step under act: if: ${{ !env.ACT }}')\n")
  return dir
}

interface ActRun {
  code: number
  log: string
  /** What the workflow's last step printed: `seen NAME=value`. */
  seen: Record<string, string>
  /** The job summary, as act prints it. */
  summary: string
}

interface ActOptions {
  engine: string
  /** act's own cache server keeps its entries here, between runs. */
  cacheDir: string
  eventFile?: string
  apiUrl?: string
  token?: string
  workflow?: string
}

function act(dir: string, event: string, options: ActOptions): Promise<ActRun> {
  const args = [
    event,
    '-W',
    options.workflow ?? '.github/workflows/example.yml',
    '-P',
    'ubuntu-latest=-self-hosted',
    '--local-repository',
    `actions/setup-go@v5=${offlineStandIn()}`,
    '--env',
    `DOCKER_HOST=${options.engine}`,
    // Nothing in the user's home; act's cache server (the v1 API) on loopback only.
    '--action-cache-path',
    path.join(tmpdir(), 'act-cache'),
    '--cache-server-addr',
    '127.0.0.1',
    '--cache-server-path',
    options.cacheDir,
    ...(options.eventFile ? ['-e', options.eventFile] : []),
    ...(options.apiUrl ? ['--env', `GITHUB_API_URL=${options.apiUrl}`] : []),
    ...(options.token ? ['-s', `GITHUB_TOKEN=${options.token}`] : [])
  ]
  // node24 actions run on the runner's node: GitHub's Node 24.
  // act keeps its state in the XDG folders: the test's own, while Go keeps the machine's build cache.
  const env = {
    ...process.env,
    PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
    DOCKER_HOST: options.engine,
    XDG_CONFIG_HOME: path.join(tmpdir(), 'act-config'),
    XDG_CACHE_HOME: path.join(tmpdir(), 'act-xdg-cache'),
    GOCACHE
  }
  const child = spawn('act', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout.on('data', chunk => (log += chunk))
  child.stderr.on('data', chunk => (log += chunk))
  return new Promise(resolve =>
    child.on('close', code => {
      const seen = Object.fromEntries([...log.matchAll(/\| seen ([A-Z_]+)=(.*)$/gm)].map(m => [m[1], m[2]]))
      const summary = /⚙ {2}Summary - ([\s\S]*?)\n\[Example\/image\]/.exec(log)?.[1] ?? ''
      resolve({ code: code ?? -1, log, seen, summary })
    })
  )
}

describe.each(['containerd', 'classic'] as const)("this repository's workflow under act, %s image store", store => {
  const api = new FakeGitHub()
  const repo = repository()
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'act-cache-server-'))
  let mainImageSize = ''
  beforeAll(() => api.start())
  afterAll(() => api.stop())

  it("a push: the README's plain build; a later step sees the outputs, the job summary has the report; main's measurement is stored", async () => {
    const run = await act(repo.dir, 'push', { engine: ENGINES[store], cacheDir })
    if (run.code !== 0) console.log(run.log)
    expect(run.code).toBe(0)
    expect(run.log).toContain('Job succeeded')
    expect(run.seen.VERSION).toBe('0.1.0')
    expect(run.seen.BUILD).toBe(repo.main)
    expect(Number(run.seen.IMAGE_SIZE)).toBeGreaterThan(1_000_000)
    expect(run.seen.GATE).toBe('pass')
    expect(run.seen.REPORT).toBe('### 📦 Go Slim Image: `acme/hello-service:0.1.0`')
    expect(run.seen.IMAGEID).toMatch(/^sha256:[0-9a-f]{64}$/)
    if (store === 'containerd') {
      expect(run.seen.DIGEST).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(run.summary).toContain('Wire sizes are exact')
    } else {
      expect(run.seen.DIGEST).toBe('')
      expect(run.summary).toContain('its layers gzipped here')
    }
    expect(run.summary).toContain(`Smoke test \`version\` printed: \`Build: ${repo.main} ⏎ Version: 0.1.0\``)
    expect(run.seen.BASELINE_SOURCE).toBe('')
    expect(run.log).toContain(`baseline cache: stored the measurement of ${repo.main.slice(0, 12)}`)
    // The branch's history starts with this push: its lookup (with the branch's latest as restore keys) found none.
    expect(run.summary).toContain(`**Size history** (linux/amd64): one measured commit of \`main\` so far, \`${repo.main.slice(0, 7)}\``)
    mainImageSize = run.seen.IMAGE_SIZE
  })

  it("a pull request, run twice: compared with main's measurement from act's cache server, one comment on the stand-in; with baseline-cache false, rebuilt to the same size", async () => {
    const eventFile = path.join(mkdtempSync(path.join(tmpdir(), 'act-event-')), 'event.json')
    const number = 42
    writeFileSync(
      eventFile,
      JSON.stringify({ action: 'synchronize', number, pull_request: { number, base: { ref: 'main', sha: repo.main }, head: { ref: 'grow', sha: repo.head } } })
    )
    git(repo.dir, 'checkout', '-q', 'grow')
    try {
      const options = { engine: ENGINES[store], cacheDir, eventFile, apiUrl: api.url, token: 'ghs_act_token' }
      const first = await act(repo.dir, 'pull_request', options)
      if (first.code !== 0) console.log(first.log)
      expect(first.code).toBe(0)
      expect(Number(first.seen.DELTA)).toBeGreaterThan(0)
      expect(first.seen.BUILD).toBe(repo.head)
      expect(first.seen.BASELINE_SOURCE).toBe('cache')
      expect(first.seen.BASE_SIZE).toBe(mainImageSize)
      // Nothing of the base was built: one binary linked and read (the head's), where a rebuild reads two.
      const linked = (log: string) => log.match(/: the unstripped twin has \d+ bytes/g)?.length
      expect(linked(first.log)).toBe(1)
      // main's history came with its measurement: the chart holds main and the pull request.
      expect(first.summary).toContain(`x-axis ["${repo.main.slice(0, 7)}", "this PR"]`)
      expect(first.summary).toContain(
        `Compared with base commit [\`${repo.main.slice(0, 12)}\`](https://github.com/acme/hello-service/commit/${repo.main}): baseline from the Actions cache`
      )
      const rebuilt = await act(repo.dir, 'pull_request', { ...options, workflow: '.github/workflows/rebuild.yml' })
      if (rebuilt.code !== 0) console.log(rebuilt.log)
      expect(rebuilt.seen.BASELINE_SOURCE).toBe('build')
      expect(linked(rebuilt.log)).toBe(2)
      expect(rebuilt.seen.BASE_SIZE).toBe(mainImageSize)
      expect(rebuilt.summary).toContain(
        `Compared with base commit [\`${repo.main.slice(0, 12)}\`](https://github.com/acme/hello-service/commit/${repo.main}), rebuilt in this run.`
      )
      const second = await act(repo.dir, 'pull_request', options)
      expect(second.code).toBe(0)
      const comments = api.comments.get(number) ?? []
      expect(comments).toHaveLength(1)
      expect(second.seen.COMMENT_ID).toBe(String(comments[0].id))
      expect(comments[0].body).toContain(`Compared with base commit [\`${repo.main.slice(0, 12)}\`]`)
      expect(api.requests.every(r => r.token === 'ghs_act_token')).toBe(true)
    } finally {
      git(repo.dir, 'checkout', '-q', 'main')
    }
  })
})

describe('the merge action under act', () => {
  it("reads merge/action.yml, starts its bundle from the action's folder, and a later step sees its outputs", async () => {
    const repo = repository()
    const run = await act(repo.dir, 'push', {
      engine: ENGINES.containerd,
      cacheDir: mkdtempSync(path.join(tmpdir(), 'act-cache-server-')),
      workflow: '.github/workflows/merged.yml'
    })
    if (run.code !== 0) console.log(run.log)
    expect(run.code).toBe(0)
    expect(Number(run.seen.IMAGE_SIZE)).toBeGreaterThan(1_000_000)
    expect(run.seen.MERGED_SIZE).toBe(run.seen.IMAGE_SIZE)
    expect(run.seen.GATE).toBe('pass')
    expect(run.seen.REPORT).toBe('### 📦 Go Slim Image: `acme/hello-service:0.1.0`')
  })
})
