import { checkBaseUrl, Transport, type TransportOptions } from '@sigwire/core'
import type { RenewWebAuthToken } from '../auth/web-auth-session.js'
import type { WebAuthTokenStore } from '../auth/web-auth-token-store.js'
import { CLOUDKIT_API_ORIGIN } from '../constants.js'
import { cloudKitError, invalidArgument } from '../errors.js'
import {
  type CloudKitSigner,
  type CloudKitSignerCredentials,
  createCloudKitSigner,
} from '../signing/signer.js'
import {
  type CloudKitAddress,
  type CloudKitDatabaseName,
  type CloudKitEnvironment,
  checkContainer,
  checkDatabase,
  checkEnvironment,
} from './address.js'
import { Assets, type AssetsApi } from './assets.js'
import { Changes, type ChangesApi } from './changes.js'
import { Connection } from './connection.js'
import { Notifications, type NotificationsApi } from './notifications.js'
import { Records, type RecordsApi } from './records.js'
import { Sharing, type SharingApi } from './sharing.js'
import { Subscriptions, type SubscriptionsApi } from './subscriptions.js'
import { Tokens, type TokensApi } from './tokens.js'
import { Users, type UsersApi } from './users.js'
import { Zones, type ZonesApi } from './zones.js'

/** Options of {@link createCloudKitClient}. */
export interface CloudKitClientOptions {
  /** Container identifier, beginning with `iCloud.`. */
  container: string
  /** `development` or `production` (lower case; anything else is rejected before sending). */
  environment: CloudKitEnvironment
  /** A server-to-server key (or a signer made with `createCloudKitSigner`): signs public-database calls. */
  serverToServer?: CloudKitSignerCredentials | CloudKitSigner
  /** API token from CloudKit Dashboard: authenticates calls without a server-to-server key, and user-database calls. */
  apiToken?: string
  /** The signed-in user's web auth token (for private and shared databases). Rotated after each response. */
  webAuthToken?: string
  /** Called with every rotated web auth token, so you can persist the latest one. */
  onWebAuthToken?: (token: string) => void
  /**
   * Gets a new web auth token when CloudKit asks for a sign-in (AUTHENTICATION_REQUIRED: the token
   * expired, was refused, or was dropped because the answer carrying its successor was lost): send
   * the user to `redirectURL` and resolve with the `ckWebAuthToken` the page hands back (or undefined
   * to give up). Called once for all the calls waiting; the call that met the sign-in is then sent
   * once more. Without it, such calls fail with `AUTHENTICATION_REQUIRED` and its `redirectURL`.
   */
  renewWebAuthToken?: RenewWebAuthToken
  /**
   * Where the user's token is kept: each user call starts from its latest token (loaded when the
   * client holds none) and leaves there the token it ended with (rotated, renewed by
   * `renewWebAuthToken`, or forgotten when its answer was lost). A shared store
   * (`createSharedWebAuthTokenStore`) makes the processes of a fleet take turns: one user call at a
   * time across them, each with the latest token. `setWebAuthToken` saves to it too.
   */
  webAuthTokenStore?: WebAuthTokenStore
  /**
   * Service origin. Default `https://api.apple-cloudkit.com` (an emulator's `url` in tests). No query,
   * fragment or credentials; `http://` only to loopback unless `allowInsecureHttp`.
   */
  baseUrl?: string
  /** Allow `baseUrl` to be `http://` to a host that is not loopback. Default false. */
  allowInsecureHttp?: boolean
  /**
   * A transport to share (its connections, clock and redactor; the client does not close it), or
   * the options of the client's own: `timeoutMs`, `retry`, `tls`, `proxy`, `clock`, ...
   */
  transport?: Transport | TransportOptions
  /** Aborts every call of the client (each call may also take its own `signal`). */
  signal?: AbortSignal
}

/** One database of the container, with its resources. */
export interface DatabaseApi {
  /** Which database this is: `public`, `private` or `shared` (the path segment of every call). */
  readonly name: CloudKitDatabaseName
  /** Records of this database: query, lookup, modify, changes. */
  readonly records: RecordsApi
  /** Record zones of this database. */
  readonly zones: ZonesApi
  /** Push subscriptions of this database. */
  readonly subscriptions: SubscriptionsApi
  /** User identities, through this database's `users/*` operations. */
  readonly users: UsersApi
  /** Asset uploads and downloads for records of this database. */
  readonly assets: AssetsApi
  /** Change feeds: zones changed since a token (`changes/database`), then their records (`changes/zone`). */
  readonly changes: ChangesApi
}

/** The CloudKit Web Services client. */
export interface CloudKitClient {
  /** The container every call goes to, as given in the options. */
  readonly container: string
  /** The environment every call goes to (`development` or `production`, each with its own keys, §2.3). */
  readonly environment: CloudKitEnvironment
  /** The public database (server-to-server keys reach only this one). */
  readonly publicDatabase: DatabaseApi
  /** The signed-in user's private database (API token + web auth token). */
  readonly privateDatabase: DatabaseApi
  /** Databases shared with the signed-in user (API token + web auth token). */
  readonly sharedDatabase: DatabaseApi
  /** Users, through the public database. */
  readonly users: UsersApi
  /** APNs tokens (`/device/1/...`). */
  readonly tokens: TokensApi
  /** Share URLs: what a short GUID points to (`records/resolve`) and accepting it (`records/accept`). */
  readonly sharing: SharingApi
  /** Notifications of the signed-in user's subscriptions, long-polled from the webcourier URL. */
  readonly notifications: NotificationsApi
  /** The key ID, when a server-to-server key is configured. */
  readonly keyId: string | undefined
  /** The current web auth token (the latest rotated one). */
  readonly webAuthToken: string | undefined
  /** A database by name (`public`, `private`, `shared`). */
  database(name: CloudKitDatabaseName): DatabaseApi
  /** Sets the web auth token after the user signed in (at `redirectURL`). */
  setWebAuthToken(token: string | undefined): void
  /** The transport (clock, redactor, connections). */
  readonly transport: Transport
  /** Closes the client's connections (not a transport passed in). */
  close(): Promise<void>
}

/**
 * Creates a CloudKit Web Services client. Container, environment and `baseUrl` are checked now; a
 * server-to-server key is parsed now (typed key errors surface here, not on the first call). Every
 * error the client raises, transport errors included, is a `CloudKitError`.
 *
 * ```ts
 * const client = createCloudKitClient({
 *   container: 'iCloud.com.example.app',
 *   environment: 'development',
 *   serverToServer: { keyId: process.env.CLOUDKIT_KEY_ID!, privateKey: readFileSync('eckey.pem', 'utf8') },
 * })
 * const page = await client.publicDatabase.records.query({ recordType: 'Note' }, { resultsLimit: 50 })
 * ```
 */
export function createCloudKitClient(options: CloudKitClientOptions): CloudKitClient {
  try {
    return clientOf(options)
  } catch (error) {
    throw cloudKitError(error)
  }
}

function clientOf(options: CloudKitClientOptions): CloudKitClient {
  const address: CloudKitAddress = {
    container: checkContainer(options.container),
    environment: checkEnvironment(options.environment),
  }
  const signer =
    options.serverToServer === undefined
      ? undefined
      : 'sign' in options.serverToServer
        ? options.serverToServer
        : createCloudKitSigner(options.serverToServer)
  if (signer === undefined && options.apiToken === undefined)
    throw invalidArgument(
      'Pass serverToServer ({ keyId, privateKey }) for the public database, or apiToken (and webAuthToken for user data).',
      'serverToServer',
    )
  const baseUrl = checkBaseUrl(options.baseUrl ?? CLOUDKIT_API_ORIGIN, {
    allowInsecureHttp: options.allowInsecureHttp,
  }).href.replace(/\/+$/, '')
  const ownsTransport = !(options.transport instanceof Transport)
  const transport =
    options.transport instanceof Transport ? options.transport : new Transport(options.transport)
  if (options.serverToServer !== undefined && !('sign' in options.serverToServer)) {
    const key = options.serverToServer.privateKey
    if (typeof key === 'string') transport.redactor.addSecret(key)
    transport.redactor.addSecret(options.serverToServer.passphrase)
  }
  const connection = new Connection({
    address,
    baseUrl,
    transport,
    signer,
    apiToken: options.apiToken,
    webAuthToken: options.webAuthToken,
    onWebAuthToken: options.onWebAuthToken,
    renewWebAuthToken: options.renewWebAuthToken,
    webAuthTokenStore: options.webAuthTokenStore,
    signal: options.signal,
  })
  const databases = new Map<CloudKitDatabaseName, DatabaseApi>()
  const database = (name: CloudKitDatabaseName): DatabaseApi => {
    const checked = checkDatabase(name)
    let db = databases.get(checked)
    if (!db) {
      db = {
        name: checked,
        records: new Records(connection, checked),
        zones: new Zones(connection, checked),
        subscriptions: new Subscriptions(connection, checked),
        users: new Users(connection, checked),
        assets: new Assets(connection, checked),
        changes: new Changes(connection, checked),
      }
      databases.set(checked, db)
    }
    return db
  }
  const tokens = new Tokens(connection)
  const sharing = new Sharing(connection, signer !== undefined)
  const notifications = new Notifications(connection, tokens)
  return {
    container: address.container,
    environment: address.environment,
    get publicDatabase() {
      return database('public')
    },
    get privateDatabase() {
      return database('private')
    },
    get sharedDatabase() {
      return database('shared')
    },
    get users() {
      return database('public').users
    },
    tokens,
    sharing,
    notifications,
    keyId: signer?.keyId,
    get webAuthToken() {
      return connection.webAuthToken
    },
    database: (name) => {
      try {
        return database(name)
      } catch (error) {
        throw cloudKitError(error)
      }
    },
    setWebAuthToken: (token) => connection.setWebAuthToken(token),
    transport,
    close: async () => {
      if (ownsTransport) await transport.close()
    },
  }
}
