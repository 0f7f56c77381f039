// publish/: where the image goes: the engine (load), a registry (access, push, read-back).
export { networkReason, pushProblems, registryRead, registrySession } from './access.js'
export type { RegistryRequest } from './access.js'
export { loadAsAsked, loadLayout } from './load.js'
export { release } from './publish.js'
export type { Published } from './publish.js'
export { putManifestBytes } from './push.js'
export { MANIFEST_TYPES, explainPushFailure, readManifest, readPushed, wireOf } from './registry.js'
export type { PushedImage, RegistryManifest } from './registry.js'
