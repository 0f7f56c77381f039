// Every temporary folder the tests and the runs they start make goes under one folder, removed at the end.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

export default function setup() {
  // Names this run, so that it ends only the Docker engines it started (.ci/test-daemons.sh).
  process.env.GO_SLIM_TEST_RUN = `${process.pid}-${Date.now()}`
  process.env.TMPDIR = mkdtempSync(path.join(tmpdir(), 'go-slim-image-tests-'))
}
