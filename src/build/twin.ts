import * as core from '@actions/core'
import * as io from '@actions/io'
import { readFile } from 'node:fs/promises'
import type { Platform } from '../process/index.js'
import type { BuildSettings } from '../settings/index.js'
import { readElf, type ElfFacts } from './elf.js'
import { embeddedData, type EmbeddedData } from './embedded.js'
import { elfBuildInfo, elfSymbols } from './gobinary.js'
import { breakdown, type Breakdown } from './split.js'
import { pointerSize, resolveTarget, verifiesWithSystemRoots, type GoSymbol, type Injection } from './symbols.js'

// Reading the unstripped twin: the symbol table behind the -X check, the TLS check and the split by package.

type Twin = { symbols: GoSymbol[]; loads: ElfFacts['loads']; size: number; embedded: EmbeddedData[] }

/** The unstripped twin's symbols, the file ranges its segments load, the data its variables embed and its size: one read serves all. */
async function readTwin(unstripped: string): Promise<Twin> {
  const elf = await readFile(unstripped)
  const [symbols, loads] = [elfSymbols(elf), readElf(elf).loads]
  return { symbols, loads, size: elf.length, embedded: embeddedData(elf, symbols, loads) }
}

/**
 * Reads the unstripped binary's symbol table: the -X targets (a missing one is replaced by the only candidate,
 * if any), and whether the program verifies TLS servers against the system roots.
 */
function readSymbols(build: BuildSettings, platform: Platform, symbols: GoSymbol[], mainModulePackages: string[]) {
  const size = pointerSize(platform.arch)
  return {
    injections: [
      resolveTarget(symbols, 'version', build.versionVariable, mainModulePackages, size),
      resolveTarget(symbols, 'build', build.buildVariable, mainModulePackages, size)
    ],
    needsSystemRoots: verifiesWithSystemRoots(symbols)
  }
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
  /** The -X targets that exist, when the ones asked for do not but have stand-ins: every binary is linked again with them. */
  retarget?: { versionVariable: string; buildVariable: string }
}

/** A linked pair, as the twin reader needs it: the twin's path and the shipped binary's. */
export interface LinkedPair {
  unstripped: string
  output: string
}

/**
 * The first platform's twin says whether the -X targets exist (a missing one with a stand-in asks for a relink);
 * every twin splits its shipped binary by package, and goes.
 */
export async function readTwins(build: BuildSettings, mainModulePackages: string[], links: LinkedPair[], shipped: Buffer[]): Promise<TwinFindings> {
  const begun = performance.now()
  const first = await readTwin(links[0].unstripped)
  const { injections, needsSystemRoots } = readSymbols(build, build.platforms[0], first.symbols, mainModulePackages)
  let attributionMs = performance.now() - begun
  const [versionVariable, buildVariable] = injections.map(i => i.variable)
  if (versionVariable !== build.versionVariable || buildVariable !== build.buildVariable) {
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
    return breakdown(twin.symbols, twin.loads, elfBuildInfo(shipped), shipped.length, twin.embedded)
  } catch (error) {
    core.info(`${output}: no size attribution (${(error as Error).message.split('\n')[0]})`)
    return undefined
  }
}
