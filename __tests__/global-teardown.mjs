// Leaves the machine as the tests found it: their temporary folders, and the Docker engines they started.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export default function teardown() {
  if (process.env.TMPDIR?.includes('go-slim-image-tests-')) rmSync(process.env.TMPDIR, { recursive: true, force: true })
  if (process.getuid?.() === 0 && process.env.GO_SLIM_TEST_RUN) {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '../.ci/test-daemons.sh')
    spawnSync('bash', [script, 'stop', '--if-tests-started', process.env.GO_SLIM_TEST_RUN], { stdio: 'inherit' })
  }
}
