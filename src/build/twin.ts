import * as io from '@actions/io'
import { readFile } from 'node:fs/promises'
import type { BuildSettings } from '../settings/index.js'
import { heldToSource, type RoleSource } from './claims.js'
import { readElf, type ElfFacts } from './elf.js'
import { embeddedData, type EmbeddedData } from './embedded.js'
import { elfBuildInfo, elfSymbols } from './gobinary.js'
import { placeUnsized, type Placement } from './placement.js'
import { breakdown, type Breakdown } from './split.js'
import { hasStringVariable, pointerSize, resolveTarget, verifiesWithSystemRoots, type GoSymbol, type Injection, type Role } from './symbols.js'
import { info } from '../process/index.js'

// Reading the unstripped twin: the symbol table behind the -X check, the TLS check and the split by package.

type Twin = { symbols: GoSymbol[]; loads: ElfFacts['loads']; size: number; embedded: EmbeddedData[]; placement?: Placement }

/** What the twin's reader knows of the build: its packages, the main module's among them. */
export type BuildPackages = { mainModulePackages: string[]; packages: ReadonlySet<string> }

/**
 * The unstripped twin's symbols, the file ranges its segments load, the data its variables embed, its function table
 * by package and its size: one read serves all.
 */
async function readTwin(unstripped: string, known: ReadonlySet<string>): Promise<Twin> {
  const elf = await readFile(unstripped)
  const [symbols, loads] = [elfSymbols(elf), readElf(elf).loads]
  return { symbols, loads, size: elf.length, embedded: embeddedData(elf, symbols, loads), placement: readPlacement(elf, symbols, loads, known) }
}

/** The unsized bytes by package; without them (a layout this reader does not know) the split places less, and says so. */
function readPlacement(elf: Buffer, symbols: GoSymbol[], loads: ElfFacts['loads'], known: ReadonlySet<string>): Placement | undefined {
  try {
    return placeUnsized(elf, symbols, loads, known)
  } catch (error) {
    info(`the function table, type descriptors and strings could not be placed by package: ${(error as Error).message}`)
    return undefined
  }
}

/**
 * The -X targets the user asked for: the twin says whether they, or the stand-ins settled for them, hold the values;
 * with what the source says of the settled ones.
 */
export type AskedTargets = Pick<BuildSettings, 'versionVariable' | 'buildVariable'> & { sources?: Partial<Record<Role, RoleSource>> }

/**
 * Reads the unstripped binary's symbol table: whether the -X targets received their values, and whether the program
 * verifies TLS servers against the system roots. `build` holds the targets settled from the source before linking.
 */
function readSymbols(build: BuildSettings, asked: AskedTargets, symbols: GoSymbol[], mainModulePackages: string[]) {
  const size = pointerSize(build.platforms[0].arch)
  const check = (role: Role, wanted: string, settled: string) =>
    heldToSource(confirmTarget(resolveTarget(symbols, role, wanted, mainModulePackages, size), settled, symbols, size), asked.sources?.[role])
  return {
    injections: [check('version', asked.versionVariable, build.versionVariable), check('build', asked.buildVariable, build.buildVariable)],
    needsSystemRoots: verifiesWithSystemRoots(symbols)
  }
}

/**
 * The symbol table's choice against the source's: they agree but where the source misread a declaration or the
 * linker dropped a variable no code reads. Then the value went where the source said, and the warning says so.
 */
function confirmTarget(checked: Injection, settled: string, symbols: GoSymbol[], size: number): Injection {
  if (checked.variable === settled) return checked
  const text =
    `The ${checked.role} went into ${settled}, chosen from the source before linking, but the linked program's symbols point to ` +
    `${checked.variable}${checked.injected ? '' : ' (which did not receive it)'}: set ${checked.role}-variable to the variable your program prints.`
  return { role: checked.role, variable: settled, injected: hasStringVariable(symbols, settled, size), note: { level: 'warning', text } }
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
  twins: Array<{ unstrippedSize: number; breakdown?: Breakdown }>
}

/** A linked pair, as the twin reader needs it: the twin's path and the shipped binary's. */
export interface LinkedPair {
  unstripped: string
  output: string
}

/** The first platform's twin says where the -X values landed; every twin splits its shipped binary by package, and goes. */
export async function readTwins(
  build: BuildSettings,
  asked: AskedTargets,
  { mainModulePackages, packages }: BuildPackages,
  links: LinkedPair[],
  shipped: Buffer[]
): Promise<TwinFindings> {
  const begun = performance.now()
  const first = await readTwin(links[0].unstripped, packages)
  const { injections, needsSystemRoots } = readSymbols(build, asked, first.symbols, mainModulePackages)
  let attributionMs = performance.now() - begun
  const twins: TwinFindings['twins'] = []
  for (const [index, link] of links.entries()) {
    const started = performance.now()
    const twin = index === 0 ? first : await readTwin(link.unstripped, packages)
    const breakdown = splitBinary(twin, shipped[index], link.output, packages)
    attributionMs += performance.now() - started
    await io.rmRF(link.unstripped)
    twins.push({ unstrippedSize: twin.size, breakdown })
  }
  return { injections, needsSystemRoots, attributionMs, twins }
}

/** The shipped binary's bytes by module and package: the twin's symbols sized, the shipped binary's build info. */
function splitBinary(twin: Twin, shipped: Buffer, output: string, known: ReadonlySet<string>): Breakdown | undefined {
  try {
    return breakdown(twin.symbols, twin.loads, elfBuildInfo(shipped), shipped.length, twin.embedded, { placement: twin.placement, known })
  } catch (error) {
    info(`${output}: no size attribution (${(error as Error).message.split('\n')[0]})`)
    return undefined
  }
}
