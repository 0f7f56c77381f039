// The house rules of src/ that no compiler checks: no import cycle between files (type-only and lazy imports
// included), no file over 300 lines, at most 14 entries at the top, and a folder is entered only by its door.
// Run by `npm run lint`, so CI fails on a breach; prints every breach, not the first.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

// The tree to check: src/, or the folder given (the layout's own test gives trees that break each rule).
const SRC = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'src'))
const MAX_LINES = 300
const MAX_TOP_ENTRIES = 14
// Besides a folder's index.ts, the files other folders may import: each is loaded lazily where it is used, so
// putting it behind the index would load it eagerly (the GitHub client is most of the bundle; the cache worker is
// a process of its own; the record's schema is zod's, which the merge action loads anyway and reads report histories with).
const EXTRA_DOORS = new Set(['report/comment.ts', 'compare/cache-worker.ts', 'compare/record-schema.ts'])

const sourceFiles = dir =>
  readdirSync(dir).flatMap(name => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return sourceFiles(full)
    return name.endsWith('.ts') ? [full] : []
  })

/** Every relative import of a file (static, type-only, re-export or lazy), resolved to a file under src/. */
function importsOf(file) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return importedFiles
    .map(ref => ref.fileName)
    .filter(spec => spec.startsWith('.'))
    .map(spec => path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')))
}

const folderOf = rel => (rel.includes('/') ? rel.split('/')[0] : undefined)

/** Tarjan's strongly connected components: every cycle lies inside one with more than one file (or a self-import). */
function cycles(graph) {
  let counter = 0
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const found = []
  const visit = node => {
    index.set(node, counter)
    low.set(node, counter++)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node), low.get(next)))
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)))
    }
    if (low.get(node) !== index.get(node)) return
    const component = []
    let member
    do {
      member = stack.pop()
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort())
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

function check() {
  const problems = []
  const files = sourceFiles(SRC)
  const rel = file => path.relative(SRC, file)
  const fileGraph = new Map()
  const folderGraph = new Map()
  for (const file of files) {
    const from = rel(file)
    const lines = readFileSync(file, 'utf8').split('\n').length - 1
    if (lines > MAX_LINES) problems.push(`${from} has ${lines} lines (at most ${MAX_LINES}): split it along its jobs`)
    const targets = importsOf(file).map(rel)
    fileGraph.set(from, new Set(targets))
    for (const to of targets) {
      if (!files.includes(path.join(SRC, to))) problems.push(`${from} imports ${to}, which does not exist`)
      const [fromFolder, toFolder] = [folderOf(from), folderOf(to)]
      if (toFolder === undefined || fromFolder === toFolder) continue
      if (path.basename(to) !== 'index.ts' && !EXTRA_DOORS.has(to))
        problems.push(`${from} imports ${to}: other folders enter ${toFolder}/ through its index.ts`)
      if (fromFolder) folderGraph.set(fromFolder, (folderGraph.get(fromFolder) ?? new Set()).add(toFolder))
    }
  }
  for (const component of cycles(fileGraph)) problems.push(`import cycle between files: ${component.join(', ')}`)
  for (const component of cycles(folderGraph)) problems.push(`import cycle between folders: ${component.join(', ')}`)
  const top = readdirSync(SRC)
  if (top.length > MAX_TOP_ENTRIES) problems.push(`${path.basename(SRC)}/ has ${top.length} entries at its top (at most ${MAX_TOP_ENTRIES}): ${top.join(', ')}`)
  return problems
}

const problems = check()
for (const problem of problems) console.error(problem)
if (problems.length > 0) process.exit(1)
console.log(`${path.relative(process.cwd(), SRC) || '.'}: no import cycle, no file over ${MAX_LINES} lines, every folder entered by its door`)
