import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { DurableStore, FaultOptions, ServerOptions } from '@sigwire/emulator-kit'
import type { EmptyBodyHashRule } from '../signing/verify.js'

/** A public key registered for a container and environment (CloudKit Dashboard, Server-to-Server Keys). */
export interface CloudKitKeyConfig {
  keyId: string
  /** SPKI PEM (or base64 SPKI, as the Dashboard shows it). */
  publicKeyPem?: string
  /** A file holding the SPKI PEM (read at start). */
  publicKeyFile?: string
}

/** One container environment the emulator serves (the `sigwire emulate --config` shape). */
export interface CloudKitContainerConfig {
  container: string
  environment: 'development' | 'production'
  keys?: CloudKitKeyConfig[]
  /** API tokens accepted as `ckAPIToken`. */
  apiTokens?: string[]
}

/** A user of the emulated iCloud (for web auth tokens, `users/*` and record ownership). */
export interface CloudKitUserConfig {
  userRecordName: string
  emailAddress?: string
  givenName?: string
  familyName?: string
  /** Found by `users/discover` and `users/lookup/*`. Default true. */
  discoverable?: boolean
}

/** Options of `startCloudKitEmulator`. */
export interface CloudKitEmulatorOptions extends ServerOptions {
  /** Containers and their keys. When absent or empty, development credentials are generated (`emulator.dev`). */
  containers?: CloudKitContainerConfig[]
  /** Accepted clock skew of the signed date, in seconds. Default 600 (docs/protocols/cloudkit.md §2.4). */
  dateWindowSeconds?: number
  /** What a bodyless request's hash field must be. Default `sha256-of-empty` (Apple's own client). */
  emptyBodyHash?: EmptyBodyHashRule | 'sha256'
  /** Server-to-server keys on the private and shared databases: `reject` (default, DOC) or `allow`. */
  s2sOnUserDatabases?: 'reject' | 'allow'
  /** A web auth token used twice: `reject` (default, DOC) or `allow-until-expiry` (3P MistKit). */
  webAuthTokenReuse?: 'reject' | 'allow-until-expiry'
  /** Users of the emulated iCloud. Default: one developer. */
  users?: CloudKitUserConfig[]
  /**
   * How long a poll of a webcourier URL is held open with nothing to deliver before it answers JSON
   * `null` (poll again). Default 30 s.
   */
  webcourierHoldMs?: number
  /** Largest asset in bytes. Default 50 MB (DOC `PropertyMetrics`). */
  maxAssetBytes?: number
  /**
   * Directory where state and uploaded assets survive a restart, even kill -9: a write is answered
   * only once it is on disk.
   */
  stateDir?: string
  /** Faults to inject (throttling, outages, latency, dropped connections, clock offset). */
  faults?: FaultOptions
  /** The emulator's clock (epoch ms or a Date). Default `Date.now`. */
  now?: () => number | Date
  /** `false` skips signature and token checks (benchmarks against bare HTTP). Default true. */
  verify?: boolean
}

/** Development credentials generated when no container is configured. */
export interface CloudKitDevCredentials {
  readonly container: string
  readonly environment: 'development'
  readonly keyId: string
  readonly privateKeyPem: string
  readonly publicKeyPem: string
  /** An API token accepted for the dev container (for user databases with a web auth token). */
  readonly apiToken: string
}

/** The container of the generated development credentials. */
export const DEV_CONTAINER = 'iCloud.dev.sigwire.emulator'

/**
 * The development credentials kept in the store, or new ones (a P-256 key pair, a 64-hex key ID, an
 * API token) written there, so they stay the same across restarts of one state directory.
 */
export async function devCredentials(store: DurableStore): Promise<CloudKitDevCredentials> {
  const kept = store.table<CloudKitDevCredentials>('meta').get('dev')
  if (kept) return kept
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const dev: CloudKitDevCredentials = {
    container: DEV_CONTAINER,
    environment: 'development',
    keyId: randomBytes(32).toString('hex'),
    privateKeyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    apiToken: randomBytes(32).toString('hex'),
  }
  await store.write((tx) => tx.put('meta', 'dev', dev))
  return dev
}

/** Resolves `publicKeyFile` entries into PEM text. */
export async function loadContainers(
  containers: readonly CloudKitContainerConfig[],
): Promise<CloudKitContainerConfig[]> {
  return Promise.all(
    containers.map(async (c) => ({
      ...c,
      keys: await Promise.all(
        (c.keys ?? []).map(async (k) => {
          if (k.publicKeyPem !== undefined) return k
          if (k.publicKeyFile === undefined)
            throw new Error(
              `Key ${k.keyId} of ${c.container} (${c.environment}) has neither publicKeyPem nor publicKeyFile.`,
            )
          return { keyId: k.keyId, publicKeyPem: await readFile(k.publicKeyFile, 'utf8') }
        }),
      ),
    })),
  )
}
