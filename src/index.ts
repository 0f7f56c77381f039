import * as core from '@actions/core'
import { run } from './main.js'
import { post } from './post.js'
import { exitCleanlyOnSignals, STATE } from './process/index.js'

// One bundle for both steps of action.yml, as docker/build-push-action does: the saved state tells them apart.
// The run starts it once more as its own Actions cache worker (cache.ts), a process it can end.
if (process.argv[2] === 'cache') {
  const { cacheWorker } = await import('./compare/cache-worker.js')
  await cacheWorker(process.argv.slice(3))
} else if (core.getState(STATE.post) === 'true') {
  await post()
} else {
  core.saveState(STATE.post, 'true')
  exitCleanlyOnSignals()
  await run()
}
