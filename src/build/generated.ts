import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { PackageSource } from './golist.js'

// A build that fails on names nobody defined, in a package that generates code: the generated files are the usual
// reason (gitignored, made by `go generate` on the author's machine), and the compiler cannot say so.

/** A compiler error `FILE:LINE:COL: undefined: NAME` or `undefined: PKG.NAME`, as the file and the qualifier. */
export interface Undefined {
  file: string
  qualifier?: string
}

export function undefinedNames(stderr: string): Undefined[] {
  return [...stderr.matchAll(/^(.+?\.go):\d+(?::\d+)?: undefined: (?:([\p{L}_][\p{L}\p{N}_]*)\.)?[\p{L}_][\p{L}\p{N}_]*$/gmu)].map(match => ({
    file: match[1],
    ...(match[2] ? { qualifier: match[2] } : {})
  }))
}

// The last element of an import path as Go names the package by default: gopkg.in/yaml.v3 is yaml, go-redis is redis
// only by its own choice, so both spellings count.
const lastElements = (importPath: string) => {
  const last = importPath.split('/').at(-1) ?? ''
  const plain = last.replace(/\.v\d+$/, '')
  return new Set([last, plain, plain.replace(/^go-/, '')])
}

/**
 * The packages the undefined names come from: a qualified name's package by its last path element, an unqualified
 * one's by the folder of the file that uses it (paths are as go prints them, relative to `cwd`).
 */
export function packagesOfUndefined(found: Undefined[], sources: Map<string, PackageSource>, cwd: string): string[] {
  const byDir = new Map([...sources].map(([importPath, source]) => [path.resolve(source.dir), importPath]))
  const named = new Set<string>()
  for (const { file, qualifier } of found) {
    if (qualifier) {
      for (const importPath of sources.keys()) if (lastElements(importPath).has(qualifier)) named.add(importPath)
    } else {
      const owner = byDir.get(path.dirname(path.resolve(cwd, file)))
      if (owner) named.add(owner)
    }
  }
  return [...named]
}

async function hasGenerate(source: PackageSource): Promise<boolean> {
  for (const file of source.files) {
    const text = await readFile(path.join(source.dir, file), 'utf8').catch(() => '')
    if (/^\/\/go:generate /m.test(text)) return true
  }
  return false
}

/** What to add to a failed build's error when its undefined names come from packages with //go:generate; '' else. */
export async function generatedHint(stderr: string, sources: Map<string, PackageSource>, cwd: string): Promise<string> {
  const suspects = packagesOfUndefined(undefinedNames(stderr), sources, cwd)
  const generating: string[] = []
  for (const importPath of suspects) if (await hasGenerate(sources.get(importPath)!)) generating.push(importPath)
  if (generating.length === 0) return ''
  const names = generating.join(', ')
  return (
    `\nThe undefined names come from ${names}, which ${generating.length === 1 ? 'has' : 'have'} //go:generate directives: ` +
    'the files they generate may be missing from this checkout (often gitignored). Run go generate (with the tools it needs) in a step before this one, or commit the generated files.'
  )
}
