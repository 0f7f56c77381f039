import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { actionYamlOf, readActionYaml, ROOT } from '../../../scripts/action-inputs.mjs'
import { readMergeSettings } from '../../../src/merge/settings.js'
import { readSettings } from '../../../src/settings/settings.js'
import { actionInputs } from '../inputs.js'

const action = readActionYaml()
const declaredInputs = Object.keys(action.inputs ?? {})
const declaredOutputs = Object.keys(action.outputs ?? {})
// Every source of the build action: all of src/ but the merge action's folder.
const sources = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
  .filter(name => name.endsWith('.ts') && name.split(path.sep)[0] !== 'merge')
  .map(name => readFileSync(path.join(ROOT, 'src', name), 'utf8'))

describe('action.yml', () => {
  it('is strict YAML with what GitHub needs to start the action', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' })
    expect(existsSync(path.join(ROOT, String(action.runs!.main)))).toBe(true)
    expect(declaredInputs.length).toBeGreaterThan(30)
    for (const name of declaredInputs) expect(typeof action.inputs![name].description).toBe('string')
  })

  it('reading the settings touches declared inputs only, and every declared input is read', () => {
    const moduleDir = mkdtempSync(path.join(tmpdir(), 'action-yml-'))
    writeFileSync(path.join(moduleDir, 'go.mod'), 'module example.com/svc\n\ngo 1.22\n')
    const read = new Set<string>()
    // Defaults from action.yml alone must give working settings: the code holds no defaults of its own.
    const settings = readSettings(actionInputs({}, read), { GITHUB_WORKSPACE: moduleDir })
    expect(settings.build.platforms.map(p => p.id)).toEqual(['linux/amd64'])
    expect(settings.comment.token).toBe('ghs_default_token')
    expect([...read].sort()).toEqual([...declaredInputs].sort())
  })

  it('the reader used above refuses an input that action.yml does not declare', () => {
    expect(() => actionInputs()('no-such-input')).toThrow('action.yml does not declare')
  })

  it('the code sets exactly the declared outputs', () => {
    const set = new Set(sources.flatMap(text => [...text.matchAll(/setOutput\('([^']+)'/g)].map(match => match[1])))
    expect([...set].sort()).toEqual([...declaredOutputs].sort())
  })

  it('reads no input except through the settings', () => {
    const readers = sources.filter(text => /core\.getInput\(|process\.env\.INPUT_/.test(text))
    expect(readers).toHaveLength(1)
  })
})

describe('merge/action.yml', () => {
  const merge = readActionYaml(actionYamlOf('merge'))
  const inputs = Object.keys(merge.inputs ?? {})

  it('is strict YAML whose main, relative to its folder as the runner takes it, is the merge bundle', () => {
    expect(merge.runs).toEqual({ using: 'node24', main: '../dist/merge/index.js' })
    expect(existsSync(path.join(ROOT, 'merge', String(merge.runs!.main)))).toBe(true)
    for (const name of inputs) expect(typeof merge.inputs![name].description).toBe('string')
    expect(merge.inputs!.reports.required).toBe(true)
  })

  it('reading its settings touches its declared inputs only, every one of them', () => {
    const read = new Set<string>()
    const settings = readMergeSettings(actionInputs({ reports: 'reports/*/report.json' }, read, 'merge'), { GITHUB_WORKSPACE: tmpdir() })
    expect(settings.comment.token).toBe('ghs_default_token')
    expect([...read].sort()).toEqual([...inputs].sort())
  })

  it('the merge sets exactly its declared outputs', () => {
    const files = [...readdirSync(path.join(ROOT, 'src/merge')).map(name => path.join('src/merge', name)), 'src/report/comment.ts']
    const texts = files.map(file => readFileSync(path.join(ROOT, file), 'utf8'))
    const set = new Set(texts.flatMap(text => [...text.matchAll(/setOutput\('([^']+)'/g)].map(match => match[1])))
    expect([...set].sort()).toEqual(Object.keys(merge.outputs ?? {}).sort())
  })
})
