import * as core from '@actions/core'
import * as io from '@actions/io'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { breakdown, type Breakdown } from './attribution.js'
import { readElf, staticProblem, type ElfFacts } from './elf.js'
import { quoteField } from './lists.js'
import { goEnv, type Platform } from './platform.js'
import { elfBuildInfo, elfGoVersion, elfSymbols } from './gobinary.js'
import { pointerSize, resolveTarget, verifiesWithSystemRoots, type GoSymbol, type Injection } from './symbols.js'
import { CommandError, describe, execute, inBackground, settleLater, type Outcome, type Plan } from './runner.js'
import type { Settings } from './settings.js'
import type { VersionInfo } from './version.js'

/** A shipped binary, linked and proven static: what the image is made of. */
export interface Shipped {
  platform: Platform
  /** The stripped binary (-s -w), before any packing. */
  path: string
  size: number
  /** The Go release that built it, from its build info. */
  goVersion: string
}

/** A shipped binary with what its twin says of it. */
export interface Binary extends Shipped {
  /** Same build without -s -w: what stripping saved. */
  unstrippedSize: number
  /** Its bytes by module and package; undefined when the symbols or the build info could not be read. */
  breakdown?: Breakdown
}

/** What the listing says of the package to build. */
export interface PackageFacts {
  /** The main package built: the input, or the module's only main package when the input is `.` and not main. */
  package: string
  importPath: string
  /** Says which package was chosen when it was not the input. */
  packageNote?: string
  /** Import paths of the main module's packages the program links: where version variables are looked for. */
  mainModulePackages: string[]
  /**
   * Listed when first asked for: to explain a failed build, or, after the build, to warn of cgo files it dropped.
   * Until then it takes no core from the links and the image build.
   */
  cgo: () => Promise<CgoFacts>
}

const STATIC_ENV = { CGO_ENABLED: '0' }

/** `full` strips (-s -w); `symbols` keeps the symbol table, drops DWARF (-w); `none` keeps both. */
export type Strip = 'full' | 'symbols' | 'none'

export function ldflags(settings: Settings, version: VersionInfo, strip: Strip): string {
  return [
    ...(strip === 'full' ? ['-s', '-w'] : strip === 'symbols' ? ['-w'] : []),
    '-X',
    quoteField(`${settings.versionVariable}=${version.version}`),
    '-X',
    quoteField(`${settings.buildVariable}=${version.build}`),
    ...(settings.ldflags ? [settings.ldflags] : [])
  ].join(' ')
}

// The package follows `--`: whatever it holds, go reads it as a package, never as a flag.
export function goBuildPlan(settings: Settings, version: VersionInfo, platform: Platform, output: string, strip: Strip = 'full'): Plan {
  return {
    program: 'go',
    args: ['build', '-trimpath', `-ldflags=${ldflags(settings, version, strip)}`, ...settings.buildFlags, '-o', output, '--', settings.package],
    env: { ...STATIC_ENV, ...goEnv(platform) },
    cwd: settings.workingDirectory
  }
}

/**
 * Lists the package and everything it imports, as the static build for `platform` sees them (the same build flags,
 * so tags select the same files); the package itself comes last. It compiles nothing: the links do.
 */
export function goListPlan(settings: Settings, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['list', '-deps', ...settings.buildFlags, '-f', '{{.ImportPath}} {{.Name}} {{with .Module}}{{.Main}}{{end}}', '--', settings.package],
    env: { ...STATIC_ENV, ...goEnv(platform) },
    cwd: settings.workingDirectory
  }
}

/** With cgo allowed: which non-standard packages carry cgo files (import path, folder), as the platform sees them. */
export function cgoPackagesPlan(settings: Settings, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['list', '-e', '-deps', ...settings.buildFlags, '-f', '{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}\t{{.Dir}}{{end}}', '--', settings.package],
    env: { ...goEnv(platform), CGO_ENABLED: '1' },
    cwd: settings.workingDirectory
  }
}

export async function requireGo(): Promise<void> {
  if (!(await io.which('go', false))) {
    throw new Error('go is not on PATH: add actions/setup-go (with go-version or go-version-file: go.mod) before this step')
  }
}

export interface CgoPackage {
  importPath: string
  dir: string
}

export interface CgoFacts {
  /** Non-standard packages with cgo files (with cgo allowed). */
  packages: CgoPackage[]
  /** Those of them the static build links without their cgo files (see droppedCgo). */
  dropped: string[]
}

async function cgoPackages(settings: Settings, platform: Platform): Promise<CgoPackage[]> {
  const listed = await execute(cgoPackagesPlan(settings, platform), { allowFailure: true, quiet: true })
  return listed.stdout
    .split('\n')
    .filter(line => line.includes('\t'))
    .map(line => ({ importPath: line.split('\t')[0].trim(), dir: line.split('\t')[1].trim() }))
}

/** The cgo packages the compiler's errors point at: by folder, by import path, or as `undefined: name.X`. */
export function cgoCulprits(stderr: string, packages: CgoPackage[]): CgoPackage[] {
  return packages.filter(p => {
    const name = p.importPath.split('/').pop()!.replace(/^go-/, '').replace(/[^\w]/g, '')
    return stderr.includes(p.dir) || stderr.includes(`${p.importPath}/`) || stderr.includes(`${p.importPath}@`) || stderr.includes(`undefined: ${name}.`)
  })
}

/** The compiler's own first errors, whole: the first lines are the cause, the rest follow from it. */
export function firstErrors(stderr: string, lines = 25): string {
  const all = stderr.trim().split('\n')
  return all.slice(0, lines).join('\n') + (all.length > lines ? `\n… (${all.length - lines} more lines)` : '')
}

/** Blames cgo only when the errors come from code that cgo would have provided; else shows the compiler's errors. */
function explainFailure(settings: Settings, platform: Platform, error: CommandError, cgo: CgoPackage[]): Error {
  const stderr = error.outcome.stderr || error.outcome.stdout
  const culprits = cgoCulprits(stderr, cgo)
  if (culprits.length === 0) {
    return new Error(`go build failed for ${platform.id} (exit code ${error.outcome.code}):\n${firstErrors(stderr)}`, { cause: error })
  }
  const names = culprits.map(p => p.importPath)
  return new Error(
    `package "${settings.package}" needs cgo, which a static build (CGO_ENABLED=0) cannot use: ${names.join(', ')} ` +
      `${names.length === 1 ? 'has' : 'have'} import "C". Use a pure-Go replacement (for example modernc.org/sqlite for ` +
      `mattn/go-sqlite3), or a build tag that drops the cgo code.\n${firstErrors(stderr)}`,
    { cause: error }
  )
}

/**
 * Non-standard packages whose cgo files the static build leaves out although it builds: they compile to their
 * fallback, which may be a stub that fails at run time (go-sqlite3: "requires cgo to work").
 */
export function droppedCgo(cgo: CgoPackage[], staticDeps: Set<string>): string[] {
  return cgo.map(p => p.importPath).filter(importPath => staticDeps.has(importPath))
}

/** Every package of the module, with its name and folder: where the main packages are. */
export function modulePackagesPlan(settings: Settings, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['list', '-e', ...settings.buildFlags, '-f', '{{.ImportPath}}\t{{.Name}}\t{{.Dir}}', './...'],
    env: { ...STATIC_ENV, ...goEnv(platform) },
    cwd: settings.workingDirectory
  }
}

/** The main packages in a `modulePackagesPlan` listing, as package inputs relative to the module root. */
export function mainPackages(listing: string, moduleDir: string): string[] {
  return listing
    .split('\n')
    .map(line => line.split('\t'))
    .filter(fields => fields[1] === 'main' && fields[2])
    .map(fields => {
      const relative = path.relative(moduleDir, fields[2])
      return relative === '' ? '.' : `./${relative.split(path.sep).join('/')}`
    })
}

/**
 * `.` is the default: when the module root holds no main package, the module's only main package is meant
 * (the cmd/NAME layout). Several main packages cannot be guessed between.
 */
async function resolveDefaultPackage(settings: Settings, platform: Platform): Promise<{ package: string; note?: string }> {
  const listed = await execute(modulePackagesPlan(settings, platform), { allowFailure: true, quiet: true })
  const mains = mainPackages(listed.stdout, settings.workingDirectory)
  if (mains.length === 0 || mains.includes('.')) return { package: '.' }
  if (mains.length === 1) return { package: mains[0], note: `package . is not a main package: building ${mains[0]}, the module's only main package` }
  throw new Error(`package . is not a main package, and the module has ${mains.length}: set package to one of ${mains.join(', ')}`)
}

/** A `goListPlan` listing whose last package, the one asked for, is a main package. */
const listsMain = (listed: { code: number; stdout: string }) => listed.code === 0 && listed.stdout.trim().split('\n').pop()?.split(' ')[1] === 'main'

/** The package's listing, with `.` resolved to the module's only main package (the cmd/NAME layout) when it is not one. */
async function listPackage(given: Settings, platform: Platform) {
  const list = (settings: Settings) => execute(goListPlan(settings, platform), { allowFailure: true, quiet: true })
  // `.` is listed first: in most modules it is the main package, and the module's own listing is not needed.
  const first = await list(given)
  if (given.package !== '.' || listsMain(first)) return { settings: given, listed: first }
  const resolved = await resolveDefaultPackage(given, platform)
  if (resolved.package === '.') return { settings: given, listed: first }
  const settings = { ...given, package: resolved.package }
  return { settings, listed: await list(settings), note: resolved.note }
}

/** Why the listing failed: a package that is not there, or one the build cannot load, which cgo may explain. */
async function listingFailure(settings: Settings, platform: Platform, listed: Outcome, cgo: () => Promise<CgoPackage[]>): Promise<Error> {
  const stderr = listed.stderr.trim()
  // "build constraints exclude all Go files" is a package that exists but not for this build: cgo's to explain.
  const missing = /no Go files|cannot find|is not in std|does not contain package|directory .* outside|not found/i
  if (!/build constraints exclude all Go files/.test(stderr) && missing.test(stderr)) {
    return new Error(
      `package "${settings.package}" was not found in ${settings.workingDirectory}: set package to the folder of your ` +
        `main package relative to the module root, like ./cmd/server\n${stderr}`
    )
  }
  return explainFailure(settings, platform, new CommandError(goListPlan(settings, platform), listed), await cgo())
}

/** The work, started on the first call; every call gets the same promise. */
function onDemand<T>(work: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined
  return () => (started ??= settleLater(work()))
}

/**
 * Checks the package before any build: it exists, it is main, it loads without cgo. The cgo listing runs on
 * demand. A base (`base`) lists no cgo packages: they explain a failed head build, and a failed base only loses
 * the comparison.
 */
export async function inspectPackage(given: Settings, { base = false } = {}): Promise<PackageFacts> {
  const platform = given.platforms[0]
  const { settings, listed, note } = await listPackage(given, platform)
  const cgo = onDemand(async () => (base ? [] : cgoPackages(settings, platform)))
  if (listed.code !== 0) throw await listingFailure(settings, platform, listed, cgo)
  const lines = listed.stdout.trim().split('\n')
  const [importPath, name] = lines[lines.length - 1].split(' ')
  if (name !== 'main') {
    const none = settings.package === '.' ? ', and the module has no main package' : ''
    throw new Error(`package "${settings.package}" (${importPath}) is package ${name}, not main${none}: set package to a main package, like ./cmd/server`)
  }
  const imports = new Set(lines.map(line => line.split(' ')[0]))
  return {
    package: settings.package,
    importPath,
    packageNote: note,
    mainModulePackages: lines.filter(line => line.split(' ')[2] === 'true').map(line => line.split(' ')[0]),
    cgo: onDemand(async () => {
      const packages = await cgo()
      return { packages, dropped: droppedCgo(packages, imports) }
    })
  }
}

function binaryPath(root: string, platform: Platform, binaryName: string): string {
  return path.join(root, ...platform.id.split('/'), binaryName)
}

/** Runs a go build; a failure is explained by cgo only when cgo would have provided what is missing. */
async function goBuild(settings: Settings, platform: Platform, plan: Plan, cgo: () => Promise<CgoFacts>, quiet = false): Promise<void> {
  try {
    await execute(plan, { quiet })
  } catch (error) {
    throw error instanceof CommandError ? explainFailure(settings, platform, error, (await cgo()).packages) : error
  }
}

/** What the links use of the listing: where version variables may be, and cgo to explain a failure. */
export type LinkFacts = Pick<PackageFacts, 'mainModulePackages' | 'cgo'>

type Twin = { symbols: GoSymbol[]; loads: ElfFacts['loads']; size: number }

/** The unstripped twin's symbols, the file ranges its segments load and its size: one read serves all three. */
async function readTwin(unstripped: string): Promise<Twin> {
  const elf = await readFile(unstripped)
  return { symbols: elfSymbols(elf), loads: readElf(elf).loads, size: elf.length }
}

/**
 * Reads the unstripped binary's symbol table: the -X targets (a missing one is replaced by the only candidate,
 * if any), and whether the program verifies TLS servers against the system roots.
 */
function readSymbols(settings: Settings, platform: Platform, symbols: GoSymbol[], mainModulePackages: string[]) {
  const size = pointerSize(platform.arch)
  return {
    injections: [
      resolveTarget(symbols, 'version', settings.versionVariable, mainModulePackages, size),
      resolveTarget(symbols, 'build', settings.buildVariable, mainModulePackages, size)
    ],
    needsSystemRoots: verifiesWithSystemRoots(symbols)
  }
}

/**
 * One platform's two links, side by side: the shipped binary, which the image waits for, and its twin at the lowest
 * priority, on the cores the shipped link and the image build leave idle. When only the change's own packages
 * compile (a warm cache), both are done sooner; a cache with nothing in it (the standard library too) costs the
 * shipped link about 8 %, the twin compiling what the shipped link is compiling (docs/benchmarks-conclusions.md).
 */
interface Links {
  platform: Platform
  output: string
  unstripped: string
  shipped: Promise<void>
  twin: Promise<void>
}

function startLinks(settings: Settings, version: VersionInfo, workDir: string, cgo: () => Promise<CgoFacts>, twin: Strip): Links[] {
  return settings.platforms.map(platform => {
    const unstripped = binaryPath(path.join(workDir, 'unstripped'), platform, settings.binaryName)
    const output = binaryPath(path.join(workDir, 'bin'), platform, settings.binaryName)
    const shipped = goBuild(settings, platform, goBuildPlan(settings, version, platform, output), cgo)
    return {
      platform,
      output,
      unstripped,
      shipped,
      twin: linkTwin(settings, platform, goBuildPlan(settings, version, platform, unstripped, twin), cgo)
    }
  })
}

/** The twin's compiler output would repeat the shipped link's in the log: its command is shown, its output kept for an error. */
async function linkTwin(settings: Settings, platform: Platform, plan: Plan, cgo: () => Promise<CgoFacts>): Promise<void> {
  const background = await inBackground(plan)
  core.info(`$ ${describe(background)}`)
  return goBuild(settings, platform, background, cgo, true)
}

/** What the twins say, read once they are linked. */
export interface TwinFindings {
  /** Where the version and the build went, checked against the symbol table. */
  injections: Injection[]
  /** The program dials TLS and trusts the system roots (so scratch, with no CA bundle, breaks it). */
  needsSystemRoots: boolean
  /** Time spent splitting the binaries by module and package (reading symbols and build info). */
  attributionMs: number
  /** Per shipped binary, in the same order: its twin's size and its split by package. */
  twins: Array<Pick<Binary, 'unstrippedSize' | 'breakdown'>>
  /** The -X targets that exist, when the ones asked for do not but have stand-ins: every binary is linked again with them. */
  retarget?: { versionVariable: string; buildVariable: string }
}

export interface Linking {
  shipped: Shipped[]
  /** Settles once the twins are linked and read; the image is built meanwhile. Awaiting it is the caller's duty. */
  findings: Promise<TwinFindings>
}

/**
 * Cross-compiles one static binary per platform and its unstripped twin (what stripping saves, and the symbol
 * table behind the -X check and the split). Resolves as soon as the shipped binaries are linked and proven static,
 * so that the image is built while the twins finish.
 */
export async function linkBinaries(settings: Settings, version: VersionInfo, workDir: string, facts: LinkFacts, twin: Strip = 'none'): Promise<Linking> {
  const links = startLinks(settings, version, workDir, facts.cgo, twin)
  // A twin may fail (or be stopped) while the shipped links run: that is settled below.
  const twinsLinked = settleLater(Promise.all(links.map(link => link.twin)))
  const checked = await Promise.all(
    links.map(async link => {
      await link.shipped
      return checkStatic(settings, link)
    })
  ).catch(async (error: unknown) => {
    await twinsLinked.catch(() => undefined)
    throw error
  })
  // The bytes read for the static check serve the split too (its build info).
  const bytes = checked.map(c => c.bytes)
  // The caller awaits it after the image build.
  const findings = settleLater(twinsLinked.then(() => readTwins(settings, facts, links, bytes)))
  return { shipped: checked.map(c => c.shipped), findings }
}

/** The release from the binary's build info, or why it could not be read (a Go before 1.18 writes another form). */
function builtBy(binary: Buffer): string {
  try {
    return elfGoVersion(binary)
  } catch (error) {
    return `a Go release not read from the binary (${(error as Error).message})`
  }
}

async function checkStatic(settings: Settings, link: Links): Promise<{ shipped: Shipped; bytes: Buffer }> {
  const { platform, output } = link
  const shipped = await readFile(output)
  const problem = staticProblem(readElf(shipped), platform.arch)
  if (problem) {
    throw new Error(
      `the ${platform.id} binary is not static: ${problem}. Remove -linkmode=external or -buildmode flags that need a C toolchain from ldflags/build-flags.`
    )
  }
  const goVersion = builtBy(shipped)
  core.info(`${platform.id}: ${settings.binaryName} is static, ${shipped.length} bytes, built by ${goVersion}`)
  return { shipped: { platform, path: output, size: shipped.length, goVersion }, bytes: shipped }
}

/**
 * The first platform's twin says whether the -X targets exist (a missing one with a stand-in asks for a relink);
 * every twin splits its shipped binary by package, and goes.
 */
async function readTwins(settings: Settings, facts: LinkFacts, links: Links[], shipped: Buffer[]): Promise<TwinFindings> {
  const begun = performance.now()
  const first = await readTwin(links[0].unstripped)
  const { injections, needsSystemRoots } = readSymbols(settings, settings.platforms[0], first.symbols, facts.mainModulePackages)
  let attributionMs = performance.now() - begun
  const [versionVariable, buildVariable] = injections.map(i => i.variable)
  if (versionVariable !== settings.versionVariable || buildVariable !== settings.buildVariable) {
    return { injections, needsSystemRoots, attributionMs, twins: [], retarget: { versionVariable, buildVariable } }
  }
  const twins: TwinFindings['twins'] = []
  for (const [index, link] of links.entries()) {
    const started = performance.now()
    const twin = index === 0 ? first : await readTwin(link.unstripped)
    const breakdown = splitBinary(twin, shipped[index], link.output)
    attributionMs += performance.now() - started
    await io.rmRF(link.unstripped)
    twins.push({ unstrippedSize: twin.size, breakdown })
  }
  return { injections, needsSystemRoots, attributionMs, twins }
}

/** The shipped binary's bytes by module and package: the twin's symbols sized, the shipped binary's build info. */
function splitBinary(twin: Twin, shipped: Buffer, output: string): Breakdown | undefined {
  try {
    return breakdown(twin.symbols, twin.loads, elfBuildInfo(shipped), shipped.length)
  } catch (error) {
    core.info(`${output}: no size attribution (${(error as Error).message.split('\n')[0]})`)
    return undefined
  }
}
