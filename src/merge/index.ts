import { runMerge } from './main.js'

// The merge action's entry (merge/action.yml), bundled apart from the build's: a merge job runs no build.
await runMerge()
