import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readActionYaml, ROOT } from '../../scripts/action-inputs.mjs'
import { readSettings } from '../../src/settings.js'
import { actionInputs } from './inputs.js'

const action = readActionYaml()
const declaredInputs = Object.keys(action.inputs ?? {})
const declaredOutputs = Object.keys(action.outputs ?? {})
const sources = readdirSync(path.join(ROOT, 'src'))
  .filter(name => name.endsWith('.ts'))
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
