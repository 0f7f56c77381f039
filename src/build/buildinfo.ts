// The build info every Go binary carries (stripping keeps it): its modules, and the package a symbol belongs to.

export interface ModuleVersion {
  path: string
  version: string
  /** `path version` of a replace directive's target, as the build info records it. */
  replacedBy?: string
}

export interface BuildInfo {
  /** The main package's import path (`main` in symbol names). */
  mainPackage: string
  mainModule: string
  /** Dependencies linked into the binary. */
  deps: ModuleVersion[]
}

/** Parses the module information as `go version -m` prints it: `path`, `mod`, `dep` lines, a dep's replacement as `=>`. */
export function parseBuildInfo(text: string): BuildInfo {
  const info: BuildInfo = { mainPackage: '', mainModule: '', deps: [] }
  for (const line of text.split('\n')) {
    const [kind, path, version] = line.trim().split('\t')
    if (kind === 'path') info.mainPackage = path
    else if (kind === 'mod') info.mainModule = path
    else if (kind === 'dep') info.deps.push({ path, version: version ?? '' })
    else if (kind === '=>' && info.deps.length > 0) {
      const last = info.deps[info.deps.length - 1]
      last.replacedBy = [path, version].filter(Boolean).join(' ')
    }
  }
  return info
}

const unescape = (pkg: string) => pkg.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

/**
 * The package a linker symbol belongs to, or undefined for the linker's own tables (`go:func.*`, `type:*`).
 * Handles methods `pkg.(*T).M`, generics `pkg.F[other/pkg.T]`, itabs `go:itab.*pkg.T,io.Writer`, type
 * equality functions `type:.eq.pkg.T`, and the `%2e` the linker writes for a dot in the last path element.
 */
export function symbolPackage(symbol: string, known?: ReadonlySet<string>): string | undefined {
  let name = symbol
  if (name.startsWith('go:itab.')) name = name.slice('go:itab.'.length).split(',')[0]
  else if (name.startsWith('type:.eq.')) name = name.slice('type:.eq.'.length)
  else if (name.startsWith('go:') || name.startsWith('type:')) return undefined
  name = name.replace(/^(\*|\[\d*\])+/, '')
  // go.shape.* are the compiler's stand-ins for type parameters; an unnamed type (struct {…}) has no package.
  if (name.startsWith('go.shape.')) return undefined
  name = name.split(/[[ {]/)[0]
  const listed = known && knownPrefix(name, known)
  if (listed) return listed
  const slash = name.lastIndexOf('/')
  const dot = name.indexOf('.', slash + 1)
  if (dot <= 0) return undefined
  return unescape(name.slice(0, dot))
}

/**
 * The longest package of the build that the name starts with, followed by a dot: `example.com/app/db.(*Tx).database/sql.grabConn`
 * (the wrapper of a promoted method of another package) is example.com/app/db's, whatever slashes follow.
 */
function knownPrefix(name: string, known: ReadonlySet<string>): string | undefined {
  let found: string | undefined
  for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
    const prefix = name.slice(0, dot)
    // A receiver or a type's punctuation: the package path has ended before it.
    if (prefix.includes('(') || prefix.includes('*')) break
    const path = prefix.includes('%') ? unescape(prefix) : prefix
    // The linker names the main package `main`, whatever its import path.
    if (known.has(path) || path === 'main') found = path
  }
  return found
}
