import { NO_VARIABLE } from '../settings/index.js'

/**
 * The linker ignores `-X pkg.Name=value` when pkg.Name does not exist or is a constant, without a word. So the
 * targets are looked up in the symbol table of the unstripped build, which is linked anyway (read by gobinary.ts).
 */
export interface GoSymbol {
  name: string
  size: number
  /** nm's letter: D/d data, B/b bss, T/t text, R/r read-only, … */
  kind: string
  /** Where it is loaded; undefined symbols have none. */
  address?: number
}

/** A package-level string variable: a data or bss symbol the size of a string header. */
const isStringVariable = (symbol: GoSymbol, pointerSize: number) => /^[DdBb]$/.test(symbol.kind) && symbol.size === 2 * pointerSize

export const hasStringVariable = (symbols: GoSymbol[], name: string, pointerSize: number) =>
  symbols.some(s => s.name === name && isStringVariable(s, pointerSize))

// The names programs give their version and build: first the plain ones (version, gitCommit), then any name ending
// in one (caddy's CustomVersion, BuildCommit), which are only candidates when no plain one exists.
const ROLE_NAMES = {
  version: { plain: /^(app|build|git|release)?_?version$/i, ending: /[a-z0-9](Version|_version|_VERSION)$/ },
  build: {
    plain: /^(git|build|source)?_?(build|commit|revision|sha|hash|commit_?hash|commit_?sha)$/i,
    ending: /[a-z0-9](Commit|Revision|Build|SHA|Sha|CommitHash|CommitSHA|_commit|_COMMIT|_revision|_sha|_SHA)$/
  }
}

export type Role = keyof typeof ROLE_NAMES

// Names that end like a version but hold another one: a protocol's, an API's, the minimum Go's.
const OTHER_THINGS = new Set([
  'api',
  'proto',
  'protocol',
  'schema',
  'min',
  'max',
  'minimum',
  'maximum',
  'go',
  'golang',
  'tls',
  'http',
  'kube',
  'k8s',
  'spec',
  'format',
  'wire',
  'storage',
  'db',
  'database',
  'compat',
  'config'
])

/** The first word of an identifier: `API` of APIVersion, `min` of minGoVersion, `db` of db_version. */
export const firstWord = (ident: string) => ident.split(/_|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)[0].toLowerCase()

/** Splits `github.com/acme/app/version.Version` into its package path and identifier. */
export function splitSymbol(name: string): { pkg: string; ident: string } {
  const slash = name.lastIndexOf('/')
  const dot = name.indexOf('.', slash + 1)
  return dot < 0 ? { pkg: '', ident: name } : { pkg: name.slice(0, dot), ident: name.slice(dot + 1) }
}

/**
 * String variables of the main module whose name says they hold the version (or the build): the plain names if
 * any, else the names that end in one.
 */
export function candidates(symbols: GoSymbol[], role: Role, mainModulePackages: string[], pointerSize: number): string[] {
  const own = new Set(['main', ...mainModulePackages])
  const names = symbols.filter(s => isStringVariable(s, pointerSize) && own.has(splitSymbol(s.name).pkg)).map(s => s.name)
  return namedLike([...new Set(names)], role)
}

/** Of linker names (`pkg.Ident`), those whose identifier says they hold the role's value: the plain ones if any, else the endings. */
export function namedLike(names: string[], role: Role): string[] {
  const ident = (name: string) => splitSymbol(name).ident
  const plain = names.filter(name => ROLE_NAMES[role].plain.test(ident(name)))
  if (plain.length > 0) return plain
  return names.filter(name => ROLE_NAMES[role].ending.test(ident(name)) && !OTHER_THINGS.has(firstWord(ident(name))))
}

/** Why a variable that received its value is not what the program reports. */
export type Overridden = { by: 'startup' } | { by: 'smoke'; printed: string[] }

export interface Injection {
  role: Role
  /** The variable that receives the value: the input's, or the one candidate used instead. */
  variable: string
  injected: boolean
  /** The variable received the value, but the program replaces it: at start-up (the source says so), or as the smoke test printed. */
  overridden?: Overridden
  /** What the log and the report say about it when it is not simply the input's variable. */
  note?: { level: 'info' | 'warning'; text: string }
}

/** Decides where the value goes: the input's variable if it exists, else the only candidate, else nowhere. */
export function resolveTarget(symbols: GoSymbol[], role: Role, wanted: string, mainModulePackages: string[], pointerSize: number): Injection {
  const input = `${role}-variable`
  // The user said the program has no such variable: nothing was injected, and nothing is to be said.
  if (wanted === NO_VARIABLE) return { role, variable: wanted, injected: false }
  if (hasStringVariable(symbols, wanted, pointerSize)) return { role, variable: wanted, injected: true }
  const found = candidates(symbols, role, mainModulePackages, pointerSize)
  const missing = `${input} ${wanted} is not a string variable of this program (the linker ignores -X for a missing variable or a constant)`
  if (found.length === 1) {
    return {
      role,
      variable: found[0],
      injected: true,
      note: { level: 'info', text: `${missing}; the ${role} went into ${found[0]}, the only variable that looks like it. Set ${input}: ${found[0]} to say so.` }
    }
  }
  const seen = found.length > 0 ? `candidates: ${found.join(', ')}` : `no string variable of the main module looks like a ${role}`
  // Go's stamp is what such a program reports: a warning, since the action's own version is then not what it prints.
  if (found.length === 0 && readsBuildInfo(symbols)) {
    return {
      role,
      variable: wanted,
      injected: false,
      note: {
        level: 'warning',
        text:
          `The ${role} was not injected: ${missing}, and ${seen}. The program reads Go's build info (runtime/debug.ReadBuildInfo), ` +
          `which carries Go's own stamp of the module version and commit: it reports that, not this run's ${role}. ` +
          `Set ${input}: none if that is what you want, or declare a string variable and set ${input} to it.`
      }
    }
  }
  const example = role === 'version' ? ', like main.version or example.com/app/version.Version' : ''
  return {
    role,
    variable: wanted,
    injected: false,
    note: {
      level: 'warning',
      text: `The ${role} was not injected: ${missing}; ${seen}. Set ${input} to the variable your program prints${example}, or ${input}: none if it has none.`
    }
  }
}

/** The program reads its own build info, where Go stamps the module version and the commit (vcs.revision). */
export const readsBuildInfo = (symbols: GoSymbol[]) => symbols.some(s => s.name === 'runtime/debug.ReadBuildInfo')

const POINTER_SIZE: Record<string, number> = { '386': 4, arm: 4, mips: 4, mipsle: 4 }
export const pointerSize = (goarch: string) => POINTER_SIZE[goarch] ?? 8

// Linked only when the program opens TLS connections itself: a net/http server that never uses the client
// does not carry them (the linker drops them), though it links crypto/x509's root loading through net/http.
const TLS_CLIENT = [
  'net/http.(*Transport).roundTrip',
  'net/http.(*Transport).dialConn',
  'crypto/tls.Client',
  'crypto/tls.Dial',
  'crypto/tls.DialWithDialer',
  'crypto/tls.(*Dialer).DialContext'
]
const SYSTEM_ROOTS = ['crypto/x509.loadSystemRoots', 'crypto/x509.systemRootsPool']
const EMBEDDED_ROOTS_PACKAGE = 'golang.org/x/crypto/x509roots/fallback.'

/**
 * The program verifies servers' certificates against the system roots: it dials TLS, loads the system pool,
 * and embeds no roots of its own. On scratch those connections fail ("certificate signed by unknown authority").
 */
export function verifiesWithSystemRoots(symbols: GoSymbol[]): boolean {
  const names = new Set(symbols.map(s => s.name))
  return TLS_CLIENT.some(name => names.has(name)) && SYSTEM_ROOTS.some(name => names.has(name)) && !symbols.some(s => s.name.startsWith(EMBEDDED_ROOTS_PACKAGE))
}
