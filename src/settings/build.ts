import { existsSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { parsePlatform, type Platform } from '../process/index.js'
import { parseList, splitFields } from './lists.js'
import { defaultBinaryName, readModule } from './modules.js'
import type { Reading } from './reading.js'
import { type BuildSettings, NO_VARIABLE, type Settings } from './types.js'
import { binaryNameProblem, buildFlagsProblems, packageProblem, shown } from './values.js'

// The build group: what `go build` reads.

// What a version or build may hold: it goes into -X, an OCI label and the default tag.
export const SAFE_VALUE = /^[\w.+~/-]{1,128}$/
export const SAFE_VALUE_RULE = 'may hold letters, digits and . _ + ~ / - only (at most 128): it goes into the binary, a label and the tag'

export function readBuild(reading: Reading): BuildSettings {
  const { get, attempt, problems } = reading
  const workingDirectory = path.resolve(reading.workspace, get('working-directory'))
  // Like actions/checkout's path: the module is the workspace's, never a folder elsewhere on the runner.
  const real = (dir: string) => (existsSync(dir) ? realpathSync(dir) : dir)
  const outside = path.relative(real(reading.workspace), real(workingDirectory))
  if (outside.startsWith('..') || path.isAbsolute(outside))
    reading.problems.push(
      `working-directory "${shown(get('working-directory'))}" is outside the workspace (${reading.workspace}): give a folder of the repository, like services/api`
    )
  const modulePath = readModule(reading, workingDirectory)
  let binaryName = get('binary-name') || (modulePath ? defaultBinaryName(modulePath) : 'app')
  const binaryProblem = binaryNameProblem(binaryName)
  if (binaryProblem) {
    problems.push(binaryProblem)
    binaryName = 'app'
  }
  const packageWhy = packageProblem(get('package'))
  if (packageWhy) problems.push(packageWhy)
  const [versionVariable, buildVariable] = [get('version-variable'), get('build-variable')]
  for (const [name, value] of [
    ['version-variable', versionVariable],
    ['build-variable', buildVariable]
  ]) {
    if (value !== NO_VARIABLE && !/^[\w./-]+\.[A-Za-z_]\w*$/.test(value))
      problems.push(`${name} "${shown(value)}" must name a package-level string variable, like main.Version, or be none (the program has no such variable)`)
  }
  const [version, build] = [get('version') || undefined, get('build') || undefined]
  for (const [name, value] of [
    ['version', version],
    ['build', build]
  ] as const) {
    if (value !== undefined && !SAFE_VALUE.test(value)) problems.push(`${name} "${shown(value)}" ${SAFE_VALUE_RULE}`)
  }
  const ldflags = get('ldflags')
  attempt(() => splitFields(ldflags, 'ldflags'), [])
  const buildFlags = attempt(() => splitFields(get('build-flags'), 'build-flags'), [])
  problems.push(...buildFlagsProblems(buildFlags))
  const platforms = readPlatforms(reading)
  return { workingDirectory, package: get('package'), binaryName, version, build, versionVariable, buildVariable, ldflags, buildFlags, platforms }
}

function readPlatforms({ get, attempt, problems }: Reading): Platform[] {
  const texts = parseList(get('platforms'), { commas: true })
  if (texts.length === 0) problems.push('platforms is empty: give at least one, e.g. linux/amd64')
  const platforms = texts.map(text => attempt(() => parsePlatform(text), undefined)).filter(p => p !== undefined)
  const duplicate = platforms.find((p, i) => platforms.findIndex(q => q.id === p.id) !== i)
  if (duplicate) problems.push(`platforms lists ${duplicate.id} twice`)
  return platforms
}

/** The same settings with some of what go build reads changed. */
export const withBuild = (settings: Settings, changed: Partial<BuildSettings>): Settings => ({ ...settings, build: { ...settings.build, ...changed } })

/** The settings for the main package preflight found: `go build` names the binary after its import path. */
export function withMainPackage(settings: Settings, main: { package: string; importPath: string }): Settings {
  const binaryName = settings.derived.includes('binary-name') ? defaultBinaryName(main.importPath) : settings.build.binaryName
  const image = settings.derived.includes('image') && !settings.github.repository ? binaryName.toLowerCase() : settings.publish.image
  return { ...withBuild(settings, { package: main.package, binaryName }), publish: { ...settings.publish, image } }
}
