/**
 * actionlint checks this repository's workflows and every complete workflow in the README. The README's
 * `uses: go-slim-image/go-slim-image@v1` (and `…/merge@v1`) is pointed at a copy of this action.yml (and
 * merge/action.yml), so that the inputs it passes are checked against the ones the action declares.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { requireTools, ROOT } from './harness.js'

beforeAll(() => requireTools('actionlint'))

/** A git repository (actionlint finds a project by it) holding a copy of action.yml and the given workflows. */
function project(workflows: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'workflows-'))
  mkdirSync(path.join(dir, '.github/workflows'), { recursive: true })
  cpSync(path.join(ROOT, 'action.yml'), path.join(dir, 'action.yml'))
  cpSync(path.join(ROOT, 'merge'), path.join(dir, 'merge'), { recursive: true })
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true })
  for (const [name, text] of Object.entries(workflows)) writeFileSync(path.join(dir, '.github/workflows', name), text)
  spawnSync('git', ['init', '-q'], { cwd: dir })
  return dir
}

function actionlint(dir: string): { code: number; output: string } {
  const result = spawnSync('actionlint', ['-no-color'], { cwd: dir, encoding: 'utf8' })
  return { code: result.status ?? -1, output: result.stdout + result.stderr }
}

/** The README's YAML blocks that are whole workflows (the fragments hold only steps). */
export function readmeWorkflows(markdown: string): string[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1]).filter(text => /^on:/m.test(text) && /^jobs:/m.test(text))
}

describe('workflows', () => {
  it("this repository's workflows pass actionlint", () => {
    expect(readdirSync(path.join(ROOT, '.github/workflows')).length).toBeGreaterThan(2)
    const result = actionlint(ROOT)
    expect(result.output).toBe('')
    expect(result.code).toBe(0)
  })

  it("the README's workflows pass actionlint, their inputs checked against action.yml", () => {
    const workflows = readmeWorkflows(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
    expect(workflows.length).toBeGreaterThanOrEqual(4)
    const local = (text: string) => text.replaceAll('go-slim-image/go-slim-image/merge@v1', './merge').replaceAll('go-slim-image/go-slim-image@v1', './')
    expect(workflows.filter(text => text.includes('go-slim-image/go-slim-image/merge@v1'))).toHaveLength(2)
    const dir = project(Object.fromEntries(workflows.map((text, i) => [`readme-${i + 1}.yml`, local(text)])))
    const result = actionlint(dir)
    expect(result.output).toBe('')
    expect(result.code).toBe(0)
  })

  it('actionlint would see an input that action.yml does not declare', () => {
    const dir = project({
      'typo.yml':
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./\n        with:\n          max-sise: 5MB\n'
    })
    expect(actionlint(dir).output).toContain('max-sise')
  })

  it("actionlint checks the merge's inputs too: a typo, and the required reports missing", () => {
    const dir = project({
      'typo.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./merge\n        with:\n          reprots: r/*.json\n'
    })
    const output = actionlint(dir).output
    expect(output).toContain('input "reprots" is not defined')
    expect(output).toContain('missing input "reports"')
  })
})
