import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Platform } from '../process/index.js'
import { NO_VARIABLE, type BuildSettings } from '../settings/index.js'
import { stringVariables } from './declarations.js'
import type { PackageFacts } from './golist.js'
import { pointerSize, resolveTarget, splitSymbol, type GoSymbol, type Role } from './symbols.js'

// Where -X puts the version and the build, settled from the source before the first link: a variable found under
// another name (caddy's CustomVersion) is linked once, packed once and built into one image.

/** What settling reads of the listing: the main package, the module's packages, and the folders and files of each. */
export type SourceFacts = Pick<PackageFacts, 'importPath' | 'mainModulePackages' | 'sources'>

/** The variables of one package that may hold a string, named as the linker names them (`main.` for the main package). */
async function packageVariables(facts: SourceFacts, importPath: string): Promise<{ strings: string[]; untyped: string[] }> {
  const source = facts.sources.get(importPath)
  const found = { strings: [] as string[], untyped: [] as string[] }
  if (!source) return found
  const prefix = importPath === facts.importPath ? 'main' : importPath
  for (const file of source.files) {
    const read = stringVariables(await readFile(path.join(source.dir, file), 'utf8'))
    found.strings.push(...read.strings.map(name => `${prefix}.${name}`))
    found.untyped.push(...read.untyped.map(name => `${prefix}.${name}`))
  }
  return found
}

/** The package a wanted variable is in, as the listing names it. */
const packageOf = (facts: SourceFacts, variable: string) => {
  const { pkg } = splitSymbol(variable)
  return pkg === 'main' ? facts.importPath : pkg
}

/** The string variables of the main module, as symbols the size of a string header: what `resolveTarget` reads. */
async function moduleSymbols(facts: SourceFacts, platform: Platform): Promise<GoSymbol[]> {
  const size = 2 * pointerSize(platform.arch)
  const all = await Promise.all(facts.mainModulePackages.map(p => packageVariables(facts, p)))
  return all.flatMap(found => found.strings.map(name => ({ name, size, kind: 'D' })))
}

/**
 * The variable a role's value goes into: the input's when its package declares it (or the source cannot say), else
 * the main module's only look-alike, as the twin's symbol table would choose it. A package the program does not link
 * declares nothing; unreadable source keeps the input's.
 */
async function settleRole(build: BuildSettings, facts: SourceFacts, role: Role, wanted: string): Promise<string> {
  if (wanted === NO_VARIABLE) return wanted
  try {
    const own = await packageVariables(facts, packageOf(facts, wanted))
    if (own.strings.includes(wanted) || own.untyped.includes(wanted)) return wanted
    const platform = build.platforms[0]
    return resolveTarget(await moduleSymbols(facts, platform), role, wanted, facts.mainModulePackages, pointerSize(platform.arch)).variable
  } catch {
    return wanted
  }
}

/** The build with its -X targets settled: the ones asked for, or their only stand-ins. */
export async function settleTargets(build: BuildSettings, facts: SourceFacts): Promise<BuildSettings> {
  const [versionVariable, buildVariable] = await Promise.all([
    settleRole(build, facts, 'version', build.versionVariable),
    settleRole(build, facts, 'build', build.buildVariable)
  ])
  return { ...build, versionVariable, buildVariable }
}
