import type { RequestGateOptions } from '@sigwire/core'

/** What one worker of the `fleet` benchmark does (see worker.ts). */
export interface FleetJob {
  readonly service: 'icloud' | 'safe-creative' | 'apple-news'
  readonly redis: string
  readonly key: string
  readonly calls: number
  readonly concurrency: number
  readonly appleId?: string
  readonly password?: string
  readonly authUrl?: string
  readonly setupUrl?: string
  readonly sharedKey?: string
  readonly privateKey?: string
  readonly baseUrl?: string
  readonly authkey?: string
  readonly authPrivateKey?: string
  readonly channelId?: string
  readonly keyId?: string
  readonly secret?: string
  /** Apple News: pass every request through the fleet's shared gate, with these settings when given. */
  readonly gate?: boolean | RequestGateOptions
}

/** What a worker reports. */
export interface FleetResult {
  readonly ok: number
  readonly errors: readonly string[]
  readonly ms: number
}
