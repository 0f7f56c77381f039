// run/: the built binary runs only here: the smoke test and start-up timing, in a sandboxed container.
export { removeLeftovers } from './sandbox.js'
export { smokeAndStartup } from './smoke.js'
export type { SmokeResult } from './smoke.js'
export type { Startup } from './startup.js'
