import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { generatedHint, packagesOfUndefined, undefinedNames } from '../../../src/build/generated.js'

// The shape of a project whose templates are compiled to Go by a generator (ego, statik, stringer): the generated
// files are gitignored, the package keeps its //go:generate line.
function project() {
  const root = mkdtempSync(path.join(tmpdir(), 'generated-'))
  const files: Record<string, string> = {
    'http/html/html.go': 'package html\n\n//go:generate ego\n',
    'http/server.go': 'package http\n\nimport "example.com/app/http/html"\n\nvar _ = html.LoginTemplate\n',
    'store/store.go': 'package store\n\nvar _ = missing\n'
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
    writeFileSync(path.join(root, name), text)
  }
  const sources = new Map([
    ['example.com/app/http/html', { dir: path.join(root, 'http/html'), files: ['html.go'] }],
    ['example.com/app/http', { dir: path.join(root, 'http'), files: ['server.go'] }],
    ['example.com/app/store', { dir: path.join(root, 'store'), files: ['store.go'] }]
  ])
  return { root, sources }
}

describe('a build that misses generated files', () => {
  it('reads the undefined names of the compiler errors, qualified or not', () => {
    const stderr =
      '# example.com/app/http\nhttp/server.go:5:13: undefined: html.LoginTemplate\n./store/store.go:3:9: undefined: missing\nmain.go:1:1: syntax error'
    expect(undefinedNames(stderr)).toEqual([{ file: 'http/server.go', qualifier: 'html' }, { file: './store/store.go' }])
  })

  it('finds the package by its last path element, or by the folder of the file using an unqualified name', () => {
    const { root, sources } = project()
    expect(packagesOfUndefined([{ file: 'http/server.go', qualifier: 'html' }], sources, root)).toEqual(['example.com/app/http/html'])
    expect(packagesOfUndefined([{ file: './store/store.go' }], sources, root)).toEqual(['example.com/app/store'])
    expect(packagesOfUndefined([{ file: 'x.go', qualifier: 'yaml' }], sources, root)).toEqual([])
  })

  it('names the package with //go:generate; says nothing of one without', async () => {
    const { root, sources } = project()
    const hint = await generatedHint('http/server.go:5:13: undefined: html.LoginTemplate', sources, root)
    expect(hint).toContain('example.com/app/http/html, which has //go:generate directives')
    expect(hint).toContain('Run go generate')
    expect(await generatedHint('./store/store.go:3:9: undefined: missing', sources, root)).toBe('')
    expect(await generatedHint('main.go:3:9: syntax error', sources, root)).toBe('')
  })
})
