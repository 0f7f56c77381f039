import * as core from '@actions/core'
import * as io from '@actions/io'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { readElf, staticProblem } from './elf.js'
import { quoteField } from './lists.js'
import { goEnv, type Platform } from './platform.js'
import { CommandError, execute, type Plan } from './runner.js'
import type { Settings } from './settings.js'
import type { VersionInfo } from './version.js'

export interface Binary {
  platform: Platform
  /** The stripped binary (-s -w), before any packing. */
  path: string
  size: number
  /** Same build without -s -w: what stripping saved. */
  unstrippedSize: number
  buildMs: number
}

export interface GoFacts {
  goVersion: string
  /** The program links crypto/tls but carries no CA roots of its own. */
  needsSystemRoots: boolean
}

const STATIC_ENV = { CGO_ENABLED: '0' }
// Importing this package embeds Mozilla's roots in the binary (seed 003).
const EMBEDDED_ROOTS = 'golang.org/x/crypto/x509roots/fallback'

export function ldflags(settings: Settings, version: VersionInfo, strip: boolean): string {
  return [
    ...(strip ? ['-s', '-w'] : []),
    '-X',
    quoteField(`${settings.versionVariable}=${version.version}`),
    '-X',
    quoteField(`${settings.buildVariable}=${version.build}`),
    ...(settings.ldflags ? [settings.ldflags] : [])
  ].join(' ')
}

export function goBuildPlan(settings: Settings, version: VersionInfo, platform: Platform, output: string, strip = true): Plan {
  return {
    program: 'go',
    args: ['build', '-trimpath', `-ldflags=${ldflags(settings, version, strip)}`, ...settings.buildFlags, '-o', output, settings.package],
    env: { ...STATIC_ENV, ...goEnv(platform) },
    cwd: settings.workingDirectory
  }
}

/**
 * Lists the package and everything it imports, as the static build for `platform` sees them (the same
 * build flags, so tags select the same files); the package itself comes last.
 */
export function goListPlan(settings: Settings, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['list', '-deps', ...settings.buildFlags, '-f', '{{.ImportPath}} {{.Name}}', settings.package],
    env: { ...STATIC_ENV, ...goEnv(platform) },
    cwd: settings.workingDirectory
  }
}

/** With cgo allowed: which packages carry cgo files, to explain a failed static build. */
export function cgoPackagesPlan(settings: Settings, platform: Platform): Plan {
  return {
    program: 'go',
    args: ['list', '-e', '-deps', '-f', '{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}{{end}}', settings.package],
    env: { ...goEnv(platform), CGO_ENABLED: '1' },
    cwd: settings.workingDirectory
  }
}

export async function requireGo(): Promise<void> {
  if (!(await io.which('go', false))) {
    throw new Error('go is not on PATH: add actions/setup-go (with go-version or go-version-file: go.mod) before this step')
  }
}

async function explainCgo(settings: Settings, platform: Platform, error: CommandError): Promise<Error> {
  const listed = await execute(cgoPackagesPlan(settings, platform), { allowFailure: true, quiet: true })
  const cgo = listed.stdout
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean)
  if (cgo.length === 0) return error
  return new Error(
    `package "${settings.package}" needs cgo, which a static build (CGO_ENABLED=0) cannot use: ${cgo.join(', ')} ` +
      `${cgo.length === 1 ? 'has' : 'have'} import "C". Use a pure-Go replacement (for example modernc.org/sqlite for ` +
      `mattn/go-sqlite3), or a build tag that drops the cgo code.\n${error.message}`
  )
}

/** Checks the package before any build: it exists, it is main, it builds without cgo; notes TLS use. */
export async function inspectPackage(settings: Settings): Promise<GoFacts> {
  const platform = settings.platforms[0]
  const [goVersion, listed] = await Promise.all([
    execute({ program: 'go', args: ['env', 'GOVERSION'], cwd: settings.workingDirectory }, { quiet: true }),
    execute(goListPlan(settings, platform), { allowFailure: true, quiet: true })
  ])
  if (listed.code !== 0) {
    const stderr = listed.stderr.trim()
    if (/build constraints exclude all Go files/.test(stderr)) {
      throw await explainCgo(settings, platform, new CommandError(goListPlan(settings, platform), listed))
    }
    if (/no Go files|cannot find|is not in std|does not contain package|directory .* outside|not found/i.test(stderr)) {
      throw new Error(
        `package "${settings.package}" was not found in ${settings.workingDirectory}: set package to the folder of your ` +
          `main package relative to the module root, like ./cmd/server\n${stderr}`
      )
    }
    throw new CommandError(goListPlan(settings, platform), listed)
  }
  const lines = listed.stdout.trim().split('\n')
  const [importPath, name] = lines[lines.length - 1].split(' ')
  if (name !== 'main') {
    throw new Error(`package "${settings.package}" (${importPath}) is package ${name}, not main: set package to a main package, like ./cmd/server`)
  }
  const imports = new Set(lines.map(line => line.split(' ')[0]))
  return {
    goVersion: goVersion.stdout.trim(),
    needsSystemRoots: imports.has('crypto/tls') && !imports.has(EMBEDDED_ROOTS)
  }
}

function binaryPath(root: string, platform: Platform, binaryName: string): string {
  return path.join(root, ...platform.id.split('/'), binaryName)
}

/** Cross-compiles one static binary per platform and proves each is static. */
export async function buildBinaries(settings: Settings, version: VersionInfo, workDir: string): Promise<Binary[]> {
  const binaries: Binary[] = []
  for (const platform of settings.platforms) {
    const output = binaryPath(path.join(workDir, 'bin'), platform, settings.binaryName)
    const plan = goBuildPlan(settings, version, platform, output)
    let built
    try {
      built = await execute(plan)
    } catch (error) {
      throw error instanceof CommandError ? await explainCgo(settings, platform, error) : error
    }
    const problem = staticProblem(readElf(await readFile(output)), platform.arch)
    if (problem) {
      throw new Error(
        `the ${platform.id} binary is not static: ${problem}. Remove -linkmode=external or -buildmode flags that need a C toolchain from ldflags/build-flags.`
      )
    }
    // The unstripped twin reuses the compile cache, so it costs one more link.
    const unstripped = binaryPath(path.join(workDir, 'unstripped'), platform, settings.binaryName)
    await execute(goBuildPlan(settings, version, platform, unstripped, false), { quiet: true })
    const [size, unstrippedSize] = await Promise.all([stat(output), stat(unstripped)])
    await io.rmRF(unstripped)
    core.info(`${platform.id}: ${settings.binaryName} is static, ${size.size} bytes (unstripped ${unstrippedSize.size})`)
    binaries.push({ platform, path: output, size: size.size, unstrippedSize: unstrippedSize.size, buildMs: built.ms })
  }
  return binaries
}
