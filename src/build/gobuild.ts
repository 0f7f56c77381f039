import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { CommandError, describe, execute, goEnv, inBackground, info, type Plan, type Platform, settleLater } from '../process/index.js'
import { NO_VARIABLE, quoteField, type BuildSettings } from '../settings/index.js'
import { compilesDone } from './compiled.js'
import { readElf, staticProblem } from './elf.js'
import { elfGoVersion } from './gobinary.js'
import { generatedHint } from './generated.js'
import { explainFailure, STATIC_ENV, type CgoFacts, type PackageFacts } from './golist.js'
import type { Breakdown } from './split.js'
import { settleTargets } from './targets.js'
import { readTwins, type TwinFindings } from './twin.js'
import type { VersionInfo } from './version.js'

// Linking: one static binary per platform and its unstripped twin, side by side; the shipped ones proven static.

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

/** `full` strips (-s -w); `symbols` keeps the symbol table, drops DWARF (-w); `none` keeps both. */
export type Strip = 'full' | 'symbols' | 'none'

export function ldflags(build: BuildSettings, version: VersionInfo, strip: Strip): string {
  const inject = (variable: string, value: string) => (variable === NO_VARIABLE ? [] : ['-X', quoteField(`${variable}=${value}`)])
  return [
    ...(strip === 'full' ? ['-s', '-w'] : strip === 'symbols' ? ['-w'] : []),
    ...inject(build.versionVariable, version.version),
    ...inject(build.buildVariable, version.build),
    ...(build.ldflags ? [build.ldflags] : [])
  ].join(' ')
}

// The package follows `--`: whatever it holds, go reads it as a package, never as a flag.
export function goBuildPlan(build: BuildSettings, version: VersionInfo, platform: Platform, output: string, strip: Strip = 'full'): Plan {
  return {
    program: 'go',
    args: ['build', '-trimpath', `-ldflags=${ldflags(build, version, strip)}`, ...build.buildFlags, '-o', output, '--', build.package],
    env: { ...STATIC_ENV, ...goEnv(platform) },
    cwd: build.workingDirectory
  }
}

function binaryPath(root: string, platform: Platform, binaryName: string): string {
  return path.join(root, ...platform.id.split('/'), binaryName)
}

/**
 * Runs a go build; a failure is explained by cgo only when cgo would have provided what is missing, and by generated
 * files when the names it misses come from a package that generates code.
 */
async function goBuild(build: BuildSettings, platform: Platform, plan: Plan, facts: FailureFacts, quiet = false): Promise<void> {
  try {
    await execute(plan, { quiet })
  } catch (error) {
    if (!(error instanceof CommandError)) throw error
    const explained = explainFailure(build, platform, error, (await facts.cgo()).packages)
    const hint = await generatedHint(error.outcome.stderr, facts.sources, build.workingDirectory).catch(() => '')
    throw hint ? new Error(explained.message + hint, { cause: error }) : explained
  }
}

/** What explains a failed build: the cgo packages, and the sources of the packages it links. */
type FailureFacts = Pick<PackageFacts, 'sources'> & { cgo: () => Promise<CgoFacts> }

/** What the links use of the listing: where version variables may be, and cgo to explain a failure. */
export type LinkFacts = Pick<PackageFacts, 'importPath' | 'mainModulePackages' | 'packages' | 'sources' | 'cgo'>

/**
 * One platform's two links: the shipped binary, which the image waits for, and its twin at the lowest priority, on
 * the cores the shipped link and the image build leave idle. The twin starts once the shipped build has compiled
 * every package (its link has begun), so a cold cache is compiled once and the twin only links; on a warm cache the
 * two links run side by side.
 */
interface Links {
  platform: Platform
  output: string
  unstripped: string
  shipped: Promise<void>
  twin: Promise<void>
}

function startLinks(build: BuildSettings, version: VersionInfo, workDir: string, facts: FailureFacts, twin: Strip): Links[] {
  return build.platforms.map(platform => {
    const unstripped = binaryPath(path.join(workDir, 'unstripped'), platform, build.binaryName)
    const output = binaryPath(path.join(workDir, 'bin'), platform, build.binaryName)
    // A work folder of its own, watched for the link step: the twin starts once every package is compiled.
    const workFolder = path.join(workDir, 'go-work', platform.id.replaceAll('/', '-'))
    const plan = goBuildPlan(build, version, platform, output)
    const shipped = mkdir(workFolder, { recursive: true }).then(() => goBuild(build, platform, { ...plan, env: { ...plan.env, GOTMPDIR: workFolder } }, facts))
    const twinLinked = compilesDone(workFolder, shipped).then(() => linkTwin(build, platform, goBuildPlan(build, version, platform, unstripped, twin), facts))
    return { platform, output, unstripped, shipped, twin: twinLinked }
  })
}

/** The twin's compiler output would repeat the shipped link's in the log: its command is shown, its output kept for an error. */
async function linkTwin(build: BuildSettings, platform: Platform, plan: Plan, facts: FailureFacts): Promise<void> {
  const background = await inBackground(plan)
  info(`$ ${describe(background)}`)
  return goBuild(build, platform, background, facts, true)
}

export interface Linking {
  /** The build as linked: its -X targets settled from the source (the ones asked for, or their only stand-ins). */
  build: BuildSettings
  shipped: Shipped[]
  /** Settles once the twins are linked and read; the image is built meanwhile. Awaiting it is the caller's duty. */
  findings: Promise<TwinFindings>
}

/**
 * Cross-compiles one static binary per platform and its unstripped twin (what stripping saves, and the symbol
 * table behind the -X check and the split). Resolves as soon as the shipped binaries are linked and proven static,
 * so that the image is built while the twins finish.
 */
export async function linkBinaries(asked: BuildSettings, version: VersionInfo, workDir: string, facts: LinkFacts, twin: Strip = 'none'): Promise<Linking> {
  const { build, sources } = await settleTargets(asked, facts)
  const links = startLinks(build, version, workDir, facts, twin)
  // A twin may fail (or be stopped) while the shipped links run: that is settled below.
  const twinsLinked = settleLater(Promise.all(links.map(link => link.twin)))
  const checked = await Promise.all(
    links.map(async link => {
      await link.shipped
      return checkStatic(build, link)
    })
  ).catch(async (error: unknown) => {
    await twinsLinked.catch(() => undefined)
    throw error
  })
  // The bytes read for the static check serve the split too (its build info).
  const bytes = checked.map(c => c.bytes)
  // The caller awaits it after the image build.
  const findings = settleLater(twinsLinked.then(() => readTwins(build, { ...asked, sources }, facts, links, bytes)))
  return { build, shipped: checked.map(c => c.shipped), findings }
}

/** The release from the binary's build info, or why it could not be read (a Go before 1.18 writes another form). */
function builtBy(binary: Buffer): string {
  try {
    return elfGoVersion(binary)
  } catch (error) {
    return `a Go release not read from the binary (${(error as Error).message})`
  }
}

async function checkStatic(build: BuildSettings, link: Links): Promise<{ shipped: Shipped; bytes: Buffer }> {
  const { platform, output } = link
  const shipped = await readFile(output)
  const problem = staticProblem(readElf(shipped), platform.arch)
  if (problem) {
    throw new Error(
      `the ${platform.id} binary is not static: ${problem}. Remove -linkmode=external or -buildmode flags that need a C toolchain from ldflags/build-flags.`
    )
  }
  const goVersion = builtBy(shipped)
  info(`${platform.id}: ${build.binaryName} is static, ${shipped.length} bytes, built by ${goVersion}`)
  return { shipped: { platform, path: output, size: shipped.length, goVersion }, bytes: shipped }
}
