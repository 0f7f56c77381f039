import { type SizeRow } from '../build/index.js'
import { dominantRow, type Attribution, type RowChange } from '../compare/index.js'
import { human, percent, signedHuman } from './format.js'
import { code, codeCell, htmlText, prose } from './md.js'

// Where the binary's bytes go, by module and package, and what moved: the answer to "why did it grow".

type RowName = Pick<SizeRow, 'key' | 'kind' | 'version'> & { isNew?: boolean }

/** A row's name in a table cell: a module or package path and a version as code, the action's own names as text. */
function rowLabel(row: RowName): string {
  if (row.kind === 'package') return codeCell(row.key)
  if (row.kind === 'main') return `${codeCell(row.key)} (this module)`
  if (row.kind === 'module') return `${codeCell(row.key)}${row.version ? ` ${codeCell(row.version)}` : ''}${row.isNew ? ' (new)' : ''}`
  return prose(row.key)
}

/** A row's embedded data, said beside its name. */
const embeddedText = (bytes: number | undefined) => (bytes ? `, ${human(bytes)} of it embedded data` : '')
const embeddedChange = (delta: number) => (delta !== 0 ? `, embedded data ${signedHuman(delta)}` : '')

/** Over half of a change, in its direction. */
const mostOf = (part: number, whole: number) => whole !== 0 && Math.sign(part) === Math.sign(whole) && Math.abs(part) * 2 > Math.abs(whole)

/** What one row's change is mostly: embedded data, or (for the main module) one of its packages; new when it is. */
function causeOf(top: RowChange): string {
  const isNew = (row: RowChange) => (row.isNew ? ', new' : '')
  const inside = top.packages?.[0]
  if (mostOf(top.embeddedDelta, top.delta)) {
    const holder = top.kind === 'main' ? [...(top.packages ?? [])].sort((a, b) => Math.abs(b.embeddedDelta) - Math.abs(a.embeddedDelta))[0] : top
    return `embedded data in ${code((holder ?? top).key)}${isNew(holder ?? top)}`
  }
  if (top.kind === 'main') return inside && mostOf(inside.delta, top.delta) ? `package ${code(inside.key)}${isNew(inside)}` : `${code(top.key)} (this module)`
  if (top.kind === 'module') return `${code(top.key)}${top.version ? ` ${code(top.version)}` : ''}${isNew(top)}`
  return `${top.kind === 'package' ? `package ${code(top.key)}` : prose(top.key)}${isNew(top)}`
}

/** One phrase for the headline when one module or package explains most of the binary's change. */
export function mainCause(attribution: Attribution | undefined): string {
  if (!attribution?.rows || !attribution.base) return ''
  const top = dominantRow(attribution.rows, attribution.head.binary - attribution.base.binary)
  return top ? ` · mostly ${causeOf(top)}` : ''
}

/** How far the split goes: the share of the binary placed in a package, and what the rest is. */
function coverage(a: Attribution, packed: boolean): string {
  const before = packed ? ' before UPX (UPX hides the build info, so the unpacked binary is split)' : ''
  return (
    `Split${before} by the binary's symbols, its function table, type descriptors and string literals, each charged to the package ` +
    `that owns or uses it: ${human(a.head.explained)} of its ${human(a.head.binary)} (${percent(a.head.explained, a.head.binary)}) ` +
    `is in a module, a package, the standard library or the runtime; the rest is ELF headers, alignment and the linker's own tables.`
  )
}

function renderModuleChanges(a: Attribution, out: string[]): void {
  if (!a.modules) return
  if (a.modules.length === 0) {
    out.push('No module was added, removed or changed.', '')
    return
  }
  out.push('| Module | Base | This change |', '|---|---|---|')
  const version = (v: string | undefined) => (v === undefined ? '–' : codeCell(v))
  for (const m of a.modules) out.push(`| ${codeCell(m.path)} | ${version(m.from)} | ${version(m.to)} (${prose(m.change)}) |`)
  out.push('')
}

function renderRowChanges(a: Attribution, out: string[]): void {
  if (!a.rows || !a.base) return
  const delta = a.head.binary - a.base.binary
  // Placed: the change in bytes that rows naming a module, a package, the standard library or the runtime hold.
  const placed = a.head.explained - a.base.explained
  const share = delta !== 0 && Math.sign(placed) === Math.sign(delta) ? ` (${percent(Math.abs(placed), Math.abs(delta))})` : ''
  out.push(`Binary ${signedHuman(delta)}; ${signedHuman(placed)} of it${share} is in the modules and packages below.`, '')
  out.push('| Where the bytes went | Base | This change | Change | Share of binary |', '|---|---:|---:|---:|---:|')
  for (const r of a.rows.top) out.push(changeLine(r, a.head.binary))
  if (a.rows.rest.rows > 0) out.push(`| ${a.rows.rest.rows} more rows | | | ${signedHuman(a.rows.rest.delta)} | |`)
  out.push('')
  const own = a.rows.top.find(r => r.kind === 'main')
  if (own?.packages?.length) {
    out.push(`<details><summary>The packages of ${htmlText(own.key)} that changed (${own.packages.length})</summary>`, '')
    out.push('| Package | Base | This change | Change | Share of binary |', '|---|---:|---:|---:|---:|')
    for (const p of own.packages.slice(0, PACKAGES_SHOWN)) out.push(changeLine(p, a.head.binary))
    if (own.packages.length > PACKAGES_SHOWN) out.push(`| ${own.packages.length - PACKAGES_SHOWN} more packages | | | | |`)
    out.push('', '</details>', '')
  }
}

// The main module's packages listed under its row; more are counted, not named.
const PACKAGES_SHOWN = 50

function changeLine(r: RowChange, binary: number): string {
  const cell = (bytes: number) => (bytes === 0 ? '–' : human(bytes))
  return `| ${rowLabel(r)}${embeddedChange(r.embeddedDelta)} | ${cell(r.base)} | ${cell(r.head)} | ${signedHuman(r.delta)} | ${percent(r.head, binary)} |`
}

function renderLargest(a: Attribution, out: string[], limit = 10): void {
  out.push('| Largest parts | Size | Share of binary |', '|---|---:|---:|')
  for (const r of a.head.rows.slice(0, limit)) out.push(sizeLine(r, a.head.binary))
  const rest = a.head.rows.slice(limit)
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, r) => sum + r.bytes, 0)
    out.push(`| ${rest.length} more rows | ${human(bytes)} | ${percent(bytes, a.head.binary)} |`)
  }
  out.push('')
  const own = a.head.rows.find(r => r.kind === 'main')
  if (own?.packages?.length) {
    out.push(`<details><summary>The ${own.packages.length} package${own.packages.length === 1 ? '' : 's'} of ${htmlText(own.key)}</summary>`, '')
    out.push('| Package | Size | Share of binary |', '|---|---:|---:|')
    for (const p of own.packages.slice(0, PACKAGES_SHOWN)) out.push(sizeLine(p, a.head.binary))
    if (own.packages.length > PACKAGES_SHOWN) out.push(`| ${own.packages.length - PACKAGES_SHOWN} more packages | | |`)
    out.push('', '</details>', '')
  }
}

const sizeLine = (r: SizeRow, binary: number) => `| ${rowLabel(r)}${embeddedText(r.embedded)} | ${human(r.bytes)} | ${percent(r.bytes, binary)} |`

/** Collapsed under a platform's figures: what moved between base and head, or what the binary is made of. */
export function renderAttribution(a: Attribution, packed: boolean, out: string[]): void {
  const compared = a.modules !== undefined || a.rows !== undefined
  const changes = a.modules?.length ? `${a.modules.length} module change${a.modules.length === 1 ? '' : 's'}` : ''
  const platform = htmlText(a.platform)
  const title = compared ? `Why the ${platform} binary changed${changes ? `: ${changes}` : ''}` : `What the ${platform} binary is made of`
  out.push(`<details><summary>${title}</summary>`, '')
  renderModuleChanges(a, out)
  if (a.rows) renderRowChanges(a, out)
  else renderLargest(a, out)
  if (a.note) out.push(`Not compared: ${prose(a.note)}.`, '')
  out.push(coverage(a, packed), '', '</details>', '')
}
