import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT } from '../../scripts/action-inputs.mjs'

// The layout rules CI enforces through `npm run lint`, tried on trees that break one each.
function check(files: Record<string, string>) {
  const src = mkdtempSync(path.join(tmpdir(), 'layout-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(src, name)), { recursive: true })
    writeFileSync(path.join(src, name), text)
  }
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-layout.mjs'), src], { encoding: 'utf8' })
  return { code: run.status, problems: run.stderr }
}

describe('the layout check', () => {
  it('passes this repository', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-layout.mjs')], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('passes stages that use each other through their doors, one way', () => {
    const result = check({
      'main.ts': "import { b } from './b/index.js'\n",
      'a/index.ts': "export { a } from './a.js'\n",
      'a/a.ts': 'export const a = 1\n',
      'b/index.ts': "export { b } from './b.js'\n",
      'b/b.ts': "import { a } from '../a/index.js'\nexport const b = a\n"
    })
    expect(result).toEqual({ code: 0, problems: '' })
  })

  it('fails on a cycle of type-only imports', () => {
    const result = check({
      'a/x.ts': "import type { Y } from './y.js'\nexport type X = { y?: Y }\n",
      'a/y.ts': "import type { X } from './x.js'\nexport type Y = { x?: X }\n"
    })
    expect(result.code).toBe(1)
    expect(result.problems).toContain('import cycle between files: a/x.ts, a/y.ts')
  })

  it('fails on a cycle through a lazy import', () => {
    const result = check({ 'x.ts': "export const x = () => import('./y.js')\n", 'y.ts': "import { x } from './x.js'\nexport const y = x\n" })
    expect(result.problems).toContain('import cycle between files: x.ts, y.ts')
  })

  it('fails on folders that import each other, even through their doors', () => {
    const result = check({
      'a/index.ts': "export { a } from './a.js'\n",
      'a/a.ts': "import { b } from '../b/index.js'\nexport const a = b\n",
      'b/index.ts': "export { b } from './b.js'\n",
      'b/b.ts': "import type { X } from '../a/index.js'\nexport const b = 1\nexport type Y = X\n"
    })
    expect(result.problems).toContain('import cycle between folders: a, b')
  })

  it('fails on a file over 300 lines', () => {
    const result = check({ 'long.ts': 'export const x = 1\n'.repeat(301), 'short.ts': 'export const y = 1\n'.repeat(300) })
    expect(result.code).toBe(1)
    expect(result.problems.trim()).toBe('long.ts has 301 lines (at most 300): split it along its jobs')
  })

  it('fails on a folder entered past its door', () => {
    const result = check({
      'main.ts': "import { a } from './a/a.js'\nexport const m = a\n",
      'a/index.ts': "export { a } from './a.js'\n",
      'a/a.ts': 'export const a = 1\n'
    })
    expect(result.problems).toContain('main.ts imports a/a.ts: other folders enter a/ through its index.ts')
  })

  it('fails on more than 14 entries at the top', () => {
    const result = check(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${i}.ts`, 'export {}\n'])))
    expect(result.problems).toMatch(/has 15 entries at its top \(at most 14\)/)
  })
})
