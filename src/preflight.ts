import * as core from '@actions/core'
import { pushProblems } from './access.js'
import { inspectEngine, type Engine } from './buildx.js'
import { goVersion, inspectPackage, requireGo, type GoFacts } from './gobuild.js'
import type { Phase } from './phase.js'
import { SAFE_VALUE, SAFE_VALUE_RULE, withMainPackage, type Settings } from './settings.js'
import { requireUpx } from './upx-install.js'
import { resolveVersion, type VersionInfo } from './version.js'
import { warn } from './warnings.js'

export interface Prepared {
  /** The settings with the main package resolved: the binary is named after it, as go build names it. */
  settings: Settings
  engine: Engine
  goFacts: GoFacts
  version: VersionInfo
  upx?: string
}

/** Every tool and the package are checked before anything is built, so a broken setup fails in seconds. */
export async function preflight(given: Settings, phase: Phase): Promise<Prepared> {
  const prepared = await phase('preflight', async () => {
    await requireGo()
    const upx = given.upx === 'off' ? undefined : await requireUpx(given.upxInstall)
    const [engine, packageFacts, go, version, unwritable] = await Promise.all([
      inspectEngine(given),
      inspectPackage(given),
      goVersion(given.workingDirectory),
      resolveVersion(given),
      given.push ? pushProblems(given.tags) : []
    ])
    const goFacts: GoFacts = { ...packageFacts, goVersion: go }
    if (unwritable.length > 0) {
      throw new Error(`push is true, but not every repository can be pushed to, so nothing was built or pushed:\n${unwritable.join('\n')}`)
    }
    core.info(
      `version ${version.version}, build ${version.build}; ${goFacts.goVersion}; docker ${engine.serverVersion}, buildx ${engine.buildxVersion}, driver ${engine.driver}, measured by ${engine.route}`
    )
    if (!SAFE_VALUE.test(version.version)) throw new Error(`the version "${version.version}" found by git ${SAFE_VALUE_RULE}; set the version input`)
    return { settings: withMainPackage(given, goFacts), engine, goFacts, version, upx }
  })
  notePackage(prepared.goFacts)
  return prepared
}

function notePackage(goFacts: GoFacts): void {
  if (goFacts.packageNote) core.info(goFacts.packageNote)
  if (goFacts.cgoDropped.length === 0) return
  warn(
    `${goFacts.cgoDropped.join(', ')} ${goFacts.cgoDropped.length === 1 ? 'has' : 'have'} cgo files that the static build (CGO_ENABLED=0) leaves out: ` +
      'the binary links their fallback without cgo, which may be a stub that fails at run time (go-sqlite3\'s says "requires cgo to work"). ' +
      'Use a pure-Go replacement (for example modernc.org/sqlite for github.com/mattn/go-sqlite3), or make sure the code path works without cgo.'
  )
}
