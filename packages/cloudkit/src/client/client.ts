import { type Clock, Transport, type TransportOptions } from '@sigwire/core'
import { CLOUDKIT_API_ORIGIN } from '../constants.js'
import { CloudKitError } from '../errors.js'
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
import { Assets } from './assets.js'
import { Connection } from './connection.js'
import { Records } from './records.js'
import { Subscriptions } from './subscriptions.js'
import { Tokens } from './tokens.js'
import { Users } from './users.js'
import { Zones } from './zones.js'

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
  /** Service origin. Default `https://api.apple-cloudkit.com` (point it at the emulator in tests). */
  baseUrl?: string
  /** A transport to share (its connections, clock and redactor); the client does not close it. */
  transport?: Transport
  /** Options for the client's own transport: `timeoutMs`, `retry`, `tls`, `proxy`, `clock`, ... */
  transportOptions?: TransportOptions
  /** Shorthand for `transportOptions.clock`. */
  clock?: Clock
}

/** One database of the container, with its resources. */
export interface CloudKitDatabase {
  readonly name: CloudKitDatabaseName
  readonly records: Records
  readonly zones: Zones
  readonly subscriptions: Subscriptions
  readonly users: Users
  readonly assets: Assets
}

/** The CloudKit Web Services client. */
export interface CloudKitClient {
  readonly container: string
  readonly environment: CloudKitEnvironment
  /** The public database (server-to-server keys reach only this one). */
  readonly publicDatabase: CloudKitDatabase
  /** The signed-in user's private database (API token + web auth token). */
  readonly privateDatabase: CloudKitDatabase
  /** Databases shared with the signed-in user (API token + web auth token). */
  readonly sharedDatabase: CloudKitDatabase
  /** Users, through the public database. */
  readonly users: Users
  /** APNs tokens (`/device/1/...`). */
  readonly tokens: Tokens
  /** The key ID, when a server-to-server key is configured. */
  readonly keyId: string | undefined
  /** The current web auth token (the latest rotated one). */
  readonly webAuthToken: string | undefined
  /** A database by name (`public`, `private`, `shared`). */
  database(name: CloudKitDatabaseName): CloudKitDatabase
  /** Sets the web auth token after the user signed in (at `redirectURL`). */
  setWebAuthToken(token: string | undefined): void
  /** The transport (clock, redactor, connections). */
  readonly transport: Transport
  /** Closes the client's connections (not a transport passed in). */
  close(): Promise<void>
}

/**
 * Creates a CloudKit Web Services client. Container and environment are checked now; a
 * server-to-server key is parsed now (typed key errors surface here, not on the first call).
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
    throw new CloudKitError({
      code: 'AUTH_NOT_CONFIGURED',
      message:
        'Pass serverToServer ({ keyId, privateKey }) for the public database, or apiToken (and webAuthToken for user data).',
    })
  const baseUrl = (options.baseUrl ?? CLOUDKIT_API_ORIGIN).replace(/\/+$/, '')
  const ownsTransport = options.transport === undefined
  const transport =
    options.transport ??
    new Transport({
      ...options.transportOptions,
      ...(options.clock ? { clock: options.clock } : {}),
    })
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
  })
  const databases = new Map<CloudKitDatabaseName, CloudKitDatabase>()
  const database = (name: CloudKitDatabaseName): CloudKitDatabase => {
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
      }
      databases.set(checked, db)
    }
    return db
  }
  const tokens = new Tokens(connection)
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
    keyId: signer?.keyId,
    get webAuthToken() {
      return connection.webAuthToken
    },
    database,
    setWebAuthToken: (token) => connection.setWebAuthToken(token),
    transport,
    close: async () => {
      if (ownsTransport) await transport.close()
    },
  }
}
