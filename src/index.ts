import * as core from '@actions/core'
import { exitCleanlyOnSignals, STATE } from './cleanup.js'
import { post } from './post.js'
import { run } from './main.js'

// One bundle for both steps of action.yml, as docker/build-push-action does: the saved state tells them apart.
if (core.getState(STATE.post) === 'true') {
  await post()
} else {
  core.saveState(STATE.post, 'true')
  exitCleanlyOnSignals()
  await run()
}
