import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { NO_VARIABLE, type BuildSettings } from '../settings/index.js'
import type { RoleSource } from './claims.js'
import { stringVariables, type Variables } from './declarations.js'
import type { PackageFacts } from './golist.js'
import { namedLike, pointerSize, resolveTarget, splitSymbol, type Role } from './symbols.js'

// Where -X puts the version and the build, settled from the source before the first link: a variable found under
// another name (caddy's CustomVersion) is linked once, packed once and built into one image.

/** What settling reads of the listing: the main package, the module's packages, and the folders and files of each. */
export type SourceFacts = Pick<PackageFacts, 'importPath' | 'mainModulePackages' | 'sources'>

/**
 * The variables of one package that may hold a string, its constants and what it sets at start-up, named as the
 * linker names them (`main.` for the main package).
 */
async function packageVariables(facts: SourceFacts, importPath: string): Promise<Variables> {
  const source = facts.sources.get(importPath)
  const found: Variables = { strings: [], untyped: [], constants: [], startup: [] }
  if (!source) return found
  const prefix = importPath === facts.importPath ? 'main' : importPath
  const named = (name: string) => `${prefix}.${name}`
  for (const file of source.files) {
    const read = stringVariables(await readFile(path.join(source.dir, file), 'utf8'))
    found.strings.push(...read.strings.map(named))
    found.untyped.push(...read.untyped.map(named))
    found.constants.push(...read.constants.map(named))
    found.startup.push(...read.startup.map(s => ({ ...s, name: named(s.name) })))
  }
  return found
}

/** The package a wanted variable is in, as the listing names it. */
const packageOf = (facts: SourceFacts, variable: string) => {
  const { pkg } = splitSymbol(variable)
  return pkg === 'main' ? facts.importPath : pkg
}

/** A role's variable, and what the source says of it: set at start-up, or missing where constants look like it. */
interface SettledRole {
  variable: string
  source?: RoleSource
}

/**
 * The variable a role's value goes into: the input's when its package declares it (or the source cannot say), else
 * the main module's only look-alike, as the twin's symbol table would choose it. A package the program does not link
 * declares nothing; unreadable source keeps the input's.
 */
async function settleRole(build: BuildSettings, facts: SourceFacts, role: Role, wanted: string): Promise<SettledRole> {
  if (wanted === NO_VARIABLE) return { variable: wanted }
  try {
    const own = await packageVariables(facts, packageOf(facts, wanted))
    if (own.strings.includes(wanted) || own.untyped.includes(wanted)) return { variable: wanted, source: sourceOf(own, wanted, []) }
    const platform = build.platforms[0]
    const module = await Promise.all(facts.mainModulePackages.map(p => packageVariables(facts, p)))
    const symbols = module.flatMap(found => found.strings.map(name => ({ name, size: 2 * pointerSize(platform.arch), kind: 'D' })))
    const variable = resolveTarget(symbols, role, wanted, facts.mainModulePackages, pointerSize(platform.arch)).variable
    const constants = namedLike([...new Set([...own.constants, ...module.flatMap(found => found.constants)])], role)
    const holder = module.find(found => found.strings.includes(variable)) ?? own
    return { variable, source: sourceOf(holder, variable, constants.includes(wanted) ? [wanted] : constants) }
  } catch {
    return { variable: wanted }
  }
}

const sourceOf = (found: Variables, variable: string, constants: string[]): RoleSource => {
  const startup = found.startup.find(s => s.name === variable)?.how
  return { constants, ...(startup ? { startup } : {}) }
}

/** The build with its -X targets settled (the ones asked for, or their only stand-ins), and what the source says of them. */
export async function settleTargets(build: BuildSettings, facts: SourceFacts): Promise<{ build: BuildSettings; sources: Partial<Record<Role, RoleSource>> }> {
  const [version, buildRole] = await Promise.all([
    settleRole(build, facts, 'version', build.versionVariable),
    settleRole(build, facts, 'build', build.buildVariable)
  ])
  return {
    build: { ...build, versionVariable: version.variable, buildVariable: buildRole.variable },
    sources: { version: version.source, build: buildRole.source }
  }
}
