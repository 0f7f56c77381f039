import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Reading } from './reading.js'
import { shown } from './values.js'

// Where the Go module and its main packages are, found from the files alone (no go command before the inputs are checked).

const SKIPPED = new Set(['.git', 'node_modules', 'vendor', 'testdata'])

/** Folders below `dir` that hold a go.mod (a few levels, the usual clutter skipped), nearest first. */
export function findGoMods(dir: string, depth = 4): string[] {
  const found: string[] = []
  let level = [dir]
  for (let d = 0; d < depth && level.length > 0 && found.length < 10; d++) {
    const next: string[] = []
    for (const folder of level) {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        if (!entry.isDirectory() || SKIPPED.has(entry.name) || entry.name.startsWith('.')) continue
        const child = path.join(folder, entry.name)
        if (existsSync(path.join(child, 'go.mod'))) found.push(child)
        else next.push(child)
      }
    }
    level = next
  }
  return found.sort()
}

const PACKAGE_MAIN = /^package\s+main\b/m
// Enough of a file to pass its licence header and build constraints and reach the package clause.
const HEAD_BYTES = 8192

function packageClauseIsMain(file: string): boolean {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(HEAD_BYTES)
    return PACKAGE_MAIN.test(head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0)).toString('utf8'))
  } finally {
    closeSync(fd)
  }
}

/**
 * The main packages of the module in `moduleDir`, as package inputs (`.`, `./cmd/api`), read from the files' package
 * clauses (no go command before the inputs are checked): a few levels, nested modules and the usual clutter skipped.
 */
export function findMainPackages(moduleDir: string, depth = 4): string[] {
  const found: string[] = []
  const visit = (folder: string, level: number) => {
    const entries = readdirSync(folder, { withFileTypes: true })
    if (entries.some(e => e.isFile() && e.name.endsWith('.go') && !e.name.endsWith('_test.go') && packageClauseIsMain(path.join(folder, e.name)))) {
      const relative = path.relative(moduleDir, folder)
      found.push(relative === '' ? '.' : `./${relative.split(path.sep).join('/')}`)
    }
    if (level >= depth) return
    for (const entry of entries) {
      if (!entry.isDirectory() || SKIPPED.has(entry.name) || entry.name.startsWith('.') || entry.name.startsWith('_')) continue
      const child = path.join(folder, entry.name)
      if (!existsSync(path.join(child, 'go.mod'))) visit(child, level + 1)
    }
  }
  visit(moduleDir, 0)
  return found.sort()
}

/** A module folder as the working-directory error names it, with its main packages when `package` has to be set too. */
function moduleChoice(workspace: string, dir: string): string {
  const name = `"${path.relative(workspace, dir) || '.'}"`
  const mains = findMainPackages(dir)
  if (mains.length === 0) return `${name} (no main package found)`
  if (mains.length === 1) return name
  return `${name} (main packages ${mains.join(', ')}: set package to one of them too)`
}

/** The module path from go.mod: the default binary name is its last element. */
export function readModulePath(goMod: string): string | undefined {
  return /^\s*module\s+"?([^\s"]+)"?/m.exec(goMod)?.[1]
}

export function defaultBinaryName(modulePath: string): string {
  const parts = modulePath.split('/')
  // example.com/tool/v2 is named tool, as `go install` names it.
  if (parts.length > 1 && /^v\d+$/.test(parts[parts.length - 1])) parts.pop()
  return parts[parts.length - 1]
}

/** The module's path from its go.mod, or a problem that says where the module is. */
export function readModule({ problems, workspace }: Reading, workingDirectory: string): string {
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory()) {
    problems.push(`working-directory "${shown(workingDirectory)}" does not exist`)
    return ''
  }
  if (!existsSync(path.join(workingDirectory, 'go.mod'))) {
    const found = findGoMods(workingDirectory)
    problems.push(
      `working-directory "${shown(workingDirectory)}" has no go.mod: ` +
        (found.length > 0
          ? `set working-directory to the module root, one of ${found.map(dir => moduleChoice(workspace, dir)).join(', ')}`
          : 'no go.mod was found below it either; point it at the Go module root')
    )
    return ''
  }
  const modulePath = readModulePath(readFileSync(path.join(workingDirectory, 'go.mod'), 'utf8')) ?? ''
  if (!modulePath) problems.push(`${path.join(workingDirectory, 'go.mod')} has no module line`)
  return modulePath
}
