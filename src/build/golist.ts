import * as io from '@actions/io'
import path from 'node:path'
import { CommandError, execute, goEnv, settleLater, type Outcome, type Plan, type Platform } from '../process/index.js'
import type { BuildSettings } from '../settings/index.js'

// Listing the package before anything is built: it exists, it is main, it loads without cgo; and explaining a
// failed build by the cgo it would have needed.

export const STATIC_ENV = { CGO_ENABLED: '0' }

/** What the listing says of the package to build. */
export interface PackageFacts {
  /** The main package built: the input, or the module's only main package when the input is `.` and not main. */
  package: string
  importPath: string
  /** Says which package was chosen when it was not the input. */
  packageNote?: string
  /** Import paths of the main module's packages the program links: where version variables are looked for. */
  mainModulePackages: string[]
  /** Every package the program links, the standard library's too: the split's rows are these. */
  packages: ReadonlySet<string>
  /** Every package the program links outside the standard library, by import path: its folder and Go files. */
  sources: Map<string, PackageSource>
  /**
   * Listed when first asked for: to explain a failed build, or, after the build, to warn of cgo files it dropped.
   * Until then it takes no core from the links and the image build.
   */
  cgo: () => Promise<CgoFacts>
}

export interface PackageSource {
  dir: string
  files: string[]
}

// NUL ends each field (no path holds one); the Go files of the standard library are left out.
const LISTING = [
  '{{.ImportPath}}',
  '{{.Name}}',
  '{{with .Module}}{{.Main}}{{end}}',
  '{{if not .Standard}}{{.Dir}}{{range .GoFiles}}{{"\\x00"}}{{.}}{{end}}{{end}}'
]
  .map(field => `${field}{{"\\x00"}}`)
  .join('')

/**
 * Lists the package and everything it imports, as the static build for `platform` sees them (the same build flags,
 * so tags select the same files); the package itself comes last. It compiles nothing: the links do.
 */
export function goListPlan(build: BuildSettings, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['list', '-deps', ...build.buildFlags, '-f', LISTING, '--', build.package],
    env: { ...STATIC_ENV, ...goEnv(platform) },
    cwd: build.workingDirectory
  }
}

export interface Listed {
  importPath: string
  name: string
  main: boolean
  source?: PackageSource
}

/** A `goListPlan` listing, package by package. */
export function parseListing(stdout: string): Listed[] {
  return stdout
    .split('\x00\n')
    .filter(record => record.trim() !== '')
    .map(record => {
      const [importPath, name, main, dir, ...files] = record.replace(/^\n/, '').split('\x00')
      return { importPath, name, main: main === 'true', source: dir ? { dir, files } : undefined }
    })
}

/** With cgo allowed: which non-standard packages carry cgo files (import path, folder), as the platform sees them. */
export function cgoPackagesPlan(build: BuildSettings, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['list', '-e', '-deps', ...build.buildFlags, '-f', '{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}\t{{.Dir}}{{end}}', '--', build.package],
    env: { ...goEnv(platform), CGO_ENABLED: '1' },
    cwd: build.workingDirectory
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

async function cgoPackages(build: BuildSettings, platform: Platform): Promise<CgoPackage[]> {
  const listed = await execute(cgoPackagesPlan(build, platform), { allowFailure: true, quiet: true })
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
export function explainFailure(build: BuildSettings, platform: Platform, error: CommandError, cgo: CgoPackage[]): Error {
  const stderr = error.outcome.stderr || error.outcome.stdout
  const culprits = cgoCulprits(stderr, cgo)
  if (culprits.length === 0) {
    return new Error(`go build failed for ${platform.id} (exit code ${error.outcome.code}):\n${firstErrors(stderr)}`, { cause: error })
  }
  const names = culprits.map(p => p.importPath)
  return new Error(
    `package "${build.package}" needs cgo, which a static build (CGO_ENABLED=0) cannot use: ${names.join(', ')} ` +
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
export function modulePackagesPlan(build: BuildSettings, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['list', '-e', ...build.buildFlags, '-f', '{{.ImportPath}}\t{{.Name}}\t{{.Dir}}', './...'],
    env: { ...STATIC_ENV, ...goEnv(platform) },
    cwd: build.workingDirectory
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
async function resolveDefaultPackage(build: BuildSettings, platform: Platform): Promise<{ package: string; note?: string }> {
  const listed = await execute(modulePackagesPlan(build, platform), { allowFailure: true, quiet: true })
  const mains = mainPackages(listed.stdout, build.workingDirectory)
  if (mains.length === 0 || mains.includes('.')) return { package: '.' }
  if (mains.length === 1) return { package: mains[0], note: `package . is not a main package: building ${mains[0]}, the module's only main package` }
  throw new Error(`package . is not a main package, and the module has ${mains.length}: set package to one of ${mains.join(', ')}`)
}

/** A `goListPlan` listing whose last package, the one asked for, is a main package. */
const listsMain = (listed: { code: number; stdout: string }) => listed.code === 0 && parseListing(listed.stdout).at(-1)?.name === 'main'

/** The package's listing, with `.` resolved to the module's only main package (the cmd/NAME layout) when it is not one. */
async function listPackage(given: BuildSettings, platform: Platform) {
  const list = (build: BuildSettings) => execute(goListPlan(build, platform), { allowFailure: true, quiet: true })
  // `.` is listed first: in most modules it is the main package, and the module's own listing is not needed.
  const first = await list(given)
  if (given.package !== '.' || listsMain(first)) return { build: given, listed: first }
  const resolved = await resolveDefaultPackage(given, platform)
  if (resolved.package === '.') return { build: given, listed: first }
  const build = { ...given, package: resolved.package }
  return { build, listed: await list(build), note: resolved.note }
}

/** Why the listing failed: a package that is not there, or one the build cannot load, which cgo may explain. */
async function listingFailure(build: BuildSettings, platform: Platform, listed: Outcome, cgo: () => Promise<CgoPackage[]>): Promise<Error> {
  const stderr = listed.stderr.trim()
  // "build constraints exclude all Go files" is a package that exists but not for this build: cgo's to explain.
  const missing = /no Go files|cannot find|is not in std|does not contain package|directory .* outside|not found/i
  if (!/build constraints exclude all Go files/.test(stderr) && missing.test(stderr)) {
    return new Error(
      `package "${build.package}" was not found in ${build.workingDirectory}: set package to the folder of your ` +
        `main package relative to the module root, like ./cmd/server\n${stderr}`
    )
  }
  return explainFailure(build, platform, new CommandError(goListPlan(build, platform), listed), await cgo())
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
export async function inspectPackage(given: BuildSettings, { base = false } = {}): Promise<PackageFacts> {
  const platform = given.platforms[0]
  const { build, listed, note } = await listPackage(given, platform)
  const cgo = onDemand(async () => (base ? [] : cgoPackages(build, platform)))
  if (listed.code !== 0) throw await listingFailure(build, platform, listed, cgo)
  const packages = parseListing(listed.stdout)
  const { importPath, name } = packages.at(-1) ?? { importPath: build.package, name: 'nothing' }
  if (name !== 'main') {
    const none = build.package === '.' ? ', and the module has no main package' : ''
    throw new Error(`package "${build.package}" (${importPath}) is package ${name}, not main${none}: set package to a main package, like ./cmd/server`)
  }
  const imports = new Set(packages.map(p => p.importPath))
  return {
    package: build.package,
    importPath,
    packageNote: note,
    mainModulePackages: packages.filter(p => p.main).map(p => p.importPath),
    packages: imports,
    sources: new Map(packages.flatMap(p => (p.source ? [[p.importPath, p.source] as const] : []))),
    cgo: onDemand(async () => {
      const packages = await cgo()
      return { packages, dropped: droppedCgo(packages, imports) }
    })
  }
}
