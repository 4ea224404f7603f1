import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { DurableStore, FaultOptions, ServerOptions } from '@sigwire/emulator-kit'
import type { EmptyBodyHashRule } from '../signing/verify.js'

/** A public key registered for a container and environment (CloudKit Dashboard, Server-to-Server Keys). */
export interface CloudKitKeyConfig {
  /** The key ID clients send in `X-Apple-CloudKit-Request-KeyID`. */
  keyId: string
  /** SPKI PEM (or base64 SPKI, as the Dashboard shows it). */
  publicKeyPem?: string
  /** A file holding the SPKI PEM (read at start). */
  publicKeyFile?: string
}

/** One container environment the emulator serves (the `sigwire emulate --config` shape). */
export interface CloudKitContainerConfig {
  /** The container identifier (`iCloud.com.example.app`). */
  container: string
  /** The environment; keys and API tokens are registered per environment (§2.3). */
  environment: 'development' | 'production'
  /** Server-to-server public keys accepted for this container environment. */
  keys?: CloudKitKeyConfig[]
  /** API tokens accepted as `ckAPIToken`. */
  apiTokens?: string[]
}

/** A user of the emulated iCloud (for web auth tokens, `users/*` and record ownership). */
export interface CloudKitUserConfig {
  /** The user's record name (`_` followed by 32 hex digits on the real service). */
  userRecordName: string
  /** The address `users/lookup/email` and `users/discover` find the user by. */
  emailAddress?: string
  /** Given name, in `nameComponents` of the user's identity. */
  givenName?: string
  /** Family name, in `nameComponents` of the user's identity. */
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
  /**
   * A web auth token sent again after it was used: `allow-until-expiry` (default: the live service
   * was seen accepting it, 3P MistKit issue 462, and CloudKit JS sends one token on concurrent calls)
   * or `reject` (DOC: "Once the response is received, the previous token is no longer valid"), which
   * answers AUTHENTICATION_REQUIRED with a `redirectURL`, as for an expired token
   * (docs/protocols/cloudkit.md §3).
   */
  webAuthTokenReuse?: 'reject' | 'allow-until-expiry'
  /** Users of the emulated iCloud. Default: one developer. */
  users?: CloudKitUserConfig[]
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
  /** The generated container (`iCloud.dev.sigwire.emulator`). */
  readonly container: string
  /** Always `development`. */
  readonly environment: 'development'
  /** The generated key ID, for the client's `serverToServer.keyId`. */
  readonly keyId: string
  /** The generated P-256 private key as SEC1 PEM, for the client's `serverToServer.privateKey`. */
  readonly privateKeyPem: string
  /** Its public key as SPKI PEM, as registered with the emulator. */
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
