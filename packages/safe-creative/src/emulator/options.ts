import type {
  EmulatorStats,
  FaultController,
  FaultOptions,
  RequestLog,
  ServerOptions,
} from '@sigwire/emulator-kit'
import type { AuthLevel } from '../constants.js'
import type { AuthkeyEditKey } from './authorization-ui.js'
import type { SafeCreativeApp } from './state.js'

/** Options of `startSafeCreativeEmulator`. */
export interface SafeCreativeEmulatorOptions extends ServerOptions {
  /** Application key pairs (`sigwire emulate --config` shape). None: development credentials are generated. */
  apps?: readonly SafeCreativeApp[]
  /**
   * Directory where state (authkeys, works, uploads, dev credentials) survives a restart, even kill -9:
   * a write is answered only once it is on disk.
   */
  stateDir?: string
  /** Faults to start with. */
  faults?: FaultOptions
  /** The server's clock in epoch ms (the fault clock offset is added). Default `Date.now`. */
  now?: () => number
  /** ztime window in ms. Default 5000 (§2.4). */
  ztimeWindowMs?: number
  /** `false` skips signature checks (benchmarks). ztime, nonces, keys and levels are still checked. Default true. */
  verify?: boolean
  /** Which key verifies the authkey.edit URL (§2.3 conflict). Default `authkey`. */
  authkeyEditKey?: AuthkeyEditKey
  /**
   * Answer `debug-component=signature.analysis` as the arena does: the signature the server expected,
   * to anyone who knows the key's public half (a `sharedkey` or an `authkey`). Off by default: the
   * parameter is then ignored, as the production API ignores it (§5.1). Turn it on only on a machine of
   * your own; `emulator.notices` says so while it is on.
   */
  debugSignatures?: boolean
  /** HTTP status of `<error>` answers. Default 200, as Safe Creative sends them (§5). */
  errorStatus?: number
  /** Items per page of paginated answers. Default 10. */
  pageSize?: number
  /** `user.quota` limits. Default 20 GB of disk and 50 registrations a month. */
  quota?: {
    /** Bytes each user may store. */
    diskBytes?: number
    /** Registrations each user may make per month. */
    monthlyRegistrations?: number
  }
  /** Approve every new authkey at once at this level (no page visit). Default off. */
  autoApprove?: AuthLevel
  /** Authkeys that exist from the start, already authorized (recorded requests, vectors). */
  authkeys?: ReadonlyArray<{
    /** The authkey, as clients send it in the `authkey` parameter. */
    authkey: string
    /** Its private key, which signs the user's components (§2.3). */
    privateKey: string
    /** The app it belongs to. Default: the first app. */
    sharedKey?: string
    /** Default `MANAGE`. */
    level?: AuthLevel
    /** The current noncekey. Default: random. */
    nonceKey?: string
  }>
}

/** An authkey as {@link SafeCreativeEmulator.authkeys} lists it: no private key, no nonce. */
export interface SafeCreativeAuthkeySummary {
  /** The authkey (the public half the client sends). */
  readonly authkey: string
  /** The application it belongs to. */
  readonly sharedKey: string
  /** True once its user approved it. */
  readonly authorized: boolean
  /** The level granted, when approved. */
  readonly level?: AuthLevel
}

/** A work as {@link SafeCreativeEmulator.works} lists it. */
export interface SafeCreativeWorkSummary {
  /** The registration code. */
  readonly code: string
  /** `REGISTERED` or `PROCESSING`. */
  readonly state: string
  /** ISO 8601 entry date. */
  readonly entryDate: string
  /** The work's fields (title, ...). */
  readonly fields: Readonly<Record<string, string>>
  /** How it was registered. */
  readonly source: 'upload' | 'text' | 'url'
  /** The uploaded file's name and size, for an upload. */
  readonly filename?: string
  /** Bytes of the uploaded file. */
  readonly size?: number
}

/** A running Safe Creative emulator. */
export interface SafeCreativeEmulator {
  /** Base URL, e.g. `http://127.0.0.1:53124`. */
  readonly url: string
  /** The API endpoint: `${url}/v2/`. */
  readonly apiUrl: string
  /** Port it listens on (on loopback). */
  readonly port: number
  /** PEM of the self-signed certificate when serving TLS. */
  readonly certificate: string | undefined
  /** Live fault controls. */
  readonly faults: FaultController
  /** Development credentials, when no app was configured. */
  readonly dev?: {
    /** The generated application's shared key, sent as `sharedkey`. */
    readonly sharedKey: string
    /** The generated application's private key, for the client's credentials; a development key only. */
    readonly privateKey: string
  }
  /** Every request with its verdict and, for refused ones, the doctor's findings (also at `GET /_emulator/requests`). */
  readonly log: RequestLog
  /** Requests by route and status, and `nonceRejections` (`InvalidNonceKey` answers) (also at `GET /_emulator/stats`). */
  readonly stats: EmulatorStats
  /** What to tell whoever starts the emulator: settings that weaken it (`debugSignatures`). */
  readonly notices: readonly string[]
  /** The authkeys the emulator holds (no private key), for a UI's approve/deny list. */
  authkeys(): SafeCreativeAuthkeySummary[]
  /** The registered works, newest last. */
  works(): SafeCreativeWorkSummary[]
  /** Denies (or revokes) an authkey as its user would with "Deny" on the authorization page. */
  deny(authkey: string): Promise<void>
  /** Approves an authkey as its user would on the authorization page. */
  approve(authkey: string, level?: AuthLevel): Promise<void>
  /** Stops the server and closes the state. */
  close(): Promise<void>
}
