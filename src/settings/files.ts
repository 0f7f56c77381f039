import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type { ExtraFile } from './types.js'
import { shown } from './values.js'

// System folders a runner's files may come from, besides the workspace (like /etc/mime.types).
export const SYSTEM_SOURCES = ['/etc/', '/usr/share/', '/usr/lib/', '/opt/']

// The context's digest reads each file whole, and Node reads at most 2 GiB at once.
export const MAX_FILE_BYTES = 2 ** 31 - 1

const inside = (folder: string, file: string) => {
  const relative = path.relative(folder, file)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * Where a `files` source really is, after every symlink: a source named in the workspace must stay in it (a pull
 * request's own symlink must not reach the runner's files), a system source under the system folders.
 */
function resolveSource(given: string, workspace: string): string {
  const source = path.resolve(workspace, given)
  const inWorkspace = inside(workspace, source)
  if (!inWorkspace && !SYSTEM_SOURCES.some(dir => source.startsWith(dir))) {
    throw new Error(`files source "${shown(given)}" must be in the workspace or under ${SYSTEM_SOURCES.join(', ')}`)
  }
  if (!existsSync(source)) throw new Error(`files source "${shown(given)}" does not exist (${source})`)
  const real = realpathSync(source)
  const allowed = inWorkspace ? inside(realpathSync(workspace), real) : SYSTEM_SOURCES.some(dir => real.startsWith(dir))
  if (!allowed) {
    throw new Error(
      `files source "${shown(given)}" leads through a symlink to ${real}, outside ${inWorkspace ? 'the workspace' : SYSTEM_SOURCES.join(', ')}: ` +
        "only files the workspace (or the runner's system folders) really holds are copied"
    )
  }
  return real
}

/**
 * Why an entry of a copied folder cannot go into the image: a link out of the folder, a FIFO or device, a huge file;
 * from the runner's system folders, a file or folder not every user may read (/etc/shadow, a private key's folder).
 */
function entryProblem(root: string, file: string, system: boolean): string | undefined {
  const info = lstatSync(file)
  if (info.isSymbolicLink()) {
    const link = readlinkSync(file)
    return inside(root, path.resolve(path.dirname(file), link)) ? undefined : `is a symlink to ${link}, outside the folder`
  }
  if (!info.isFile() && !info.isDirectory()) return 'is neither a file, a folder nor a symlink (a FIFO, socket or device)'
  if (info.size > MAX_FILE_BYTES) return `is ${info.size} bytes, over the 2 GiB a file may have`
  const readable = info.isDirectory() ? 0o005 : 0o004
  if (system && (info.mode & readable) !== readable) return 'is not readable by every user of the runner: only a system file anyone may read is copied'
  return undefined
}

/** The first entry of the folder that cannot be copied, and why. */
function treeProblem(root: string, system: boolean): string | undefined {
  const pending = [root]
  while (pending.length > 0) {
    const folder = pending.pop()!
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name)
      const problem = entryProblem(root, file, system)
      if (problem) return `${path.relative(root, file)} ${problem}`
      if (entry.isDirectory()) pending.push(file)
    }
  }
  return undefined
}

/**
 * One `files` line, `source:destination`: a plain file or folder in the workspace (or a system file of the
 * runner), and an absolute path in the image. The whole tree is checked here, before any build.
 */
export function parseFile(line: string, workspace: string): ExtraFile {
  const match = /^(.+?):(\/.*)$/.exec(line)
  if (!match) throw new Error(`files entry "${shown(line)}" must be source:destination, like config/app.yaml:/etc/app/app.yaml`)
  const [, given, destination] = match
  if (path.posix.normalize(destination) !== destination || destination === '/' || destination.length > 1024) {
    throw new Error(`files destination "${shown(destination)}" must be a normalized absolute path in the image, like /etc/mime.types`)
  }
  const source = resolveSource(given, workspace)
  const system = !inside(realpathSync(workspace), source)
  // A folder is checked entry by entry, and itself; the resolved source, like any entry (a FIFO, a huge file).
  const folder = statSync(source).isDirectory()
  const problem = (
    folder ? (treeProblem(source, system) ?? entryProblem(path.dirname(source), source, system)) : entryProblem(path.dirname(source), source, system)
  )?.replace(/^is /, 'it is ')
  if (problem) throw new Error(`files source "${shown(given)}": ${problem}`)
  return { source, destination }
}
