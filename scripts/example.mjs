// Runs the bundled action on examples/hello the way a runner would, then prints the size report.
// Extra inputs: `npm run example -- upx=off final-stage=scratch`.
import { ROOT, runAction } from './run-action.mjs'

const inputs = { 'working-directory': 'examples/hello', upx: 'lzma', 'final-stage': 'scratch-nonroot', 'smoke-test': 'version', expose: '3000' }
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf('=')
  if (eq < 1) throw new Error(`expected input=value, got ${arg}`)
  inputs[arg.slice(0, eq)] = arg.slice(eq + 1)
}

const result = await runAction(inputs, { workspace: ROOT })
// The log's ::error:: and ::warning:: lines are what a user needs; the summary is the report.
const notices = result.log.split('\n').filter(line => line.startsWith('::error') || line.startsWith('::warning'))
if (notices.length) console.log(notices.join('\n'))
if (result.code !== 0) process.exit(result.code)
process.stdout.write(result.summary)
