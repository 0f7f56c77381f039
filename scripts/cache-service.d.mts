export interface CacheEntry {
  id: number
  key: string
  version: string
  data: Buffer
  complete: boolean
}
export interface CacheFault {
  method: string
  path: RegExp
  /** Answer this status; without it, never answer (a hung service). */
  status?: number
  times: number
}
/** What both stand-ins offer: started and stopped on loopback, the runner's variables for them, their entries. */
interface StandIn<Entry> {
  readonly entries: Entry[]
  readonly requests: Array<{ method: string; path: string }>
  readonly faults: CacheFault[]
  url: string
  start(): Promise<void>
  stop(): Promise<void>
  env(): Record<string, string>
  /** Complete entries whose key holds `keyPart`. */
  find(keyPart: string): Entry[]
}
export interface V2Entry {
  id: number
  key: string
  version: string
  /** Its blob's name in Azurite. */
  blob: string
  complete: boolean
}
/** The v1 API of act and GitHub Enterprise Server. */
export type CacheService = StandIn<CacheEntry>
export declare const CacheService: new () => CacheService
/** The v2 service of github.com: twirp on loopback, blobs in Azurite. */
export type CacheServiceV2 = StandIn<V2Entry> & {
  /** The entry's blob as stored in Azurite. */
  blob(entry: { blob: string }): Promise<Buffer>
}
export declare const CacheServiceV2: new () => CacheServiceV2
