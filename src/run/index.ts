// run/: the built binary runs only here: the smoke test and start-up timing, in a sandboxed container.
export { removeLeftovers } from './sandbox.js'
export { STARTUP_RUNS, smokeAndStartup } from './smoke.js'
export type { SmokeResult, Startup } from './smoke.js'
