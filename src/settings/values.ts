/**
 * Checks of the input values that reach a command line, git or the Dockerfile. Inputs are data: each check lets
 * through only what the value claims to be, so that no value can become a flag, an option or an instruction.
 * Each returns why the value is refused, or undefined.
 */

/** Longest file name Linux takes (NAME_MAX); longer gives "file name too long" after the build. */
export const MAX_FILE_NAME = 255

/** The text, or its head and tail with the count of characters left out between. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  const half = Math.floor(max / 2)
  return `${text.slice(0, half)} … (${text.length - 2 * half} characters left out) … ${text.slice(-half)}`
}

/** A value as an error message shows it: a huge one is cut, so the message stays one readable sentence. */
export function shown(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value
}

/** Why git would refuse `ref` as a ref name (git check-ref-format --allow-onelevel), or undefined. */
export function refRule(ref: string): string | undefined {
  if (ref.startsWith('-')) return 'starts with "-", which git would read as an option'
  if (ref.length > 1024) return 'is longer than 1024 characters'
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return 'holds a character git refuses in a ref name (a space, a control character or one of ~ ^ : ? * [ \\)'
  if (ref.includes('..')) return 'holds ".."'
  if (ref === '@' || ref.includes('@{')) return 'holds "@{" or is "@"'
  if (ref.endsWith('.')) return 'ends with "."'
  const parts = ref.split('/')
  if (parts.some(part => part === '')) return 'has an empty part (a leading, trailing or double "/")'
  if (parts.some(part => part.startsWith('.') || part.endsWith('.lock'))) return 'has a part that starts with "." or ends with ".lock"'
  return undefined
}

export function baseRefProblem(ref: string): string | undefined {
  const why = refRule(ref)
  return why && `base-ref "${shown(ref)}" ${why}: give a branch, tag or commit of origin, like main`
}

/**
 * WORKDIR takes the rest of its line and expands $variables: only plain folder names are let through, so the
 * value can be nothing but a folder (no newline, no second instruction, no `..` out of the image's tree).
 */
export function workdirProblem(workdir: string): string | undefined {
  if (workdir === '') return undefined
  const parts = workdir.split('/').slice(1)
  const plain = workdir.startsWith('/') && parts.every(part => /^[\w.@+-]+$/.test(part) && part !== '.' && part !== '..')
  if (!plain || workdir.length > 1024 || workdir === '/') {
    return `workdir "${shown(workdir)}" must be an absolute folder in the image made of letters, digits and . _ @ + - names, like /data (no .., no spaces)`
  }
  return undefined
}

/** The main package: a relative folder or an import path, never a go flag. */
export function packageProblem(pkg: string): string | undefined {
  if (pkg === '') return 'package is empty: give the main package relative to the module root, like . or ./cmd/server'
  if (pkg.startsWith('-'))
    return `package "${shown(pkg)}" starts with "-", which go would read as a flag: give a folder like ./cmd/server (flags go in build-flags)`
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(pkg) || pkg.length > 1024) return `package "${shown(pkg)}" must be one folder or import path, like ./cmd/server`
  return undefined
}

// go build's flags that take their value as the next field (`-tags foo`); every other flag is boolean or uses `=`.
const VALUE_FLAGS = new Set([
  'C',
  'o',
  'p',
  'ldflags',
  'asmflags',
  'buildmode',
  'compiler',
  'covermode',
  'coverpkg',
  'gccgoflags',
  'gcflags',
  'installsuffix',
  'mod',
  'modfile',
  'overlay',
  'pgo',
  'pkgdir',
  'tags',
  'toolexec'
])

/** build-flags are flags: a field that is neither a flag nor a flag's value would be read as a package. */
export function buildFlagsProblems(fields: string[]): string[] {
  const problems: string[] = []
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]
    const flag = /^--?([\w-]+)(=|$)/.exec(field)
    if (!flag) {
      problems.push(`build-flags holds "${shown(field)}", which is not a flag: go would build it as a package. The package goes in the package input`)
      continue
    }
    if (/^--?(o|ldflags|trimpath)$/.test(field.split('=')[0]))
      problems.push(`build-flags must not set ${field.split('=')[0]}: the action sets it (use ldflags for linker flags)`)
    if (flag[2] === '' && VALUE_FLAGS.has(flag[1])) {
      if (i + 1 >= fields.length) problems.push(`build-flags ends with ${field}, which needs a value (like ${field} netgo)`)
      i++
    }
  }
  return problems
}

/** A buildx builder or docker context name, passed as `--builder=NAME`. */
export function builderProblem(builder: string): string | undefined {
  if (builder === '' || /^[A-Za-z0-9][\w.+-]{0,127}$/.test(builder)) return undefined
  return `builder "${shown(builder)}" is not a builder name (letters, digits and . _ + -, starting with a letter or digit): give docker/setup-buildx-action's name output`
}

export function binaryNameProblem(name: string): string | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && name.length <= MAX_FILE_NAME) return undefined
  return `binary-name "${shown(name)}" must be a plain file name of at most ${MAX_FILE_NAME} letters, digits, . _ -`
}
