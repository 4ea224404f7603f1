import { CLOUDKIT_API_VERSION, DATABASES, ENVIRONMENTS } from '../constants.js'
import { invalidArgument } from '../errors.js'

/** `development` or `production` (docs/protocols/cloudkit.md §1). */
export type CloudKitEnvironment = (typeof ENVIRONMENTS)[number]
/** `public`, `private` or `shared` (§1). */
export type CloudKitDatabaseName = (typeof DATABASES)[number]

/** Where a request goes: container, environment and (for database operations) database. */
export interface CloudKitAddress {
  /** The container identifier, starting with `iCloud.` (§1). */
  readonly container: string
  /** The environment path segment, in lower case (`Development` is refused, §1). */
  readonly environment: CloudKitEnvironment
}

/** A request path taken apart (routing in the emulator, checks in the doctor). */
export interface CloudKitPath {
  /** `database` for database operations, `device` for APNs tokens (§1). */
  readonly api: 'database' | 'device'
  readonly container: string
  /** The environment segment as received (not validated). */
  readonly environment: string
  /** The database segment for `database` paths (not validated); undefined for `device` paths. */
  readonly database: string | undefined
  /** The operation, e.g. `records/query`, `tokens/create`. */
  readonly operation: string
}

/**
 * Splits `/database/1/{container}/{environment}/{database}/{operation}` or
 * `/device/1/{container}/{environment}/{operation}` (query ignored, segments percent-decoded).
 * Returns undefined for any other path.
 */
export function parseCloudKitPath(target: string): CloudKitPath | undefined {
  const path = target.split('?')[0]!
  const parts = path.split('/').map(safeDecode)
  if (parts[0] !== '' || parts[2] !== CLOUDKIT_API_VERSION) return undefined
  if (parts[1] === 'database' && parts.length >= 7)
    return {
      api: 'database',
      container: parts[3]!,
      environment: parts[4]!,
      database: parts[5]!,
      operation: parts.slice(6).join('/'),
    }
  if (parts[1] === 'device' && parts.length >= 6)
    return {
      api: 'device',
      container: parts[3]!,
      environment: parts[4]!,
      database: undefined,
      operation: parts.slice(5).join('/'),
    }
  return undefined
}

/** Checks a container identifier: it begins with `iCloud.` (DOC). Throws `INVALID_ARGUMENT`. */
export function checkContainer(container: unknown): string {
  if (typeof container !== 'string' || !/^iCloud\.[A-Za-z0-9._-]+$/.test(container))
    throw invalidArgument(
      `The container must be the identifier shown in CloudKit Dashboard, beginning with "iCloud." (e.g. iCloud.com.example.app); got ${JSON.stringify(String(container)).slice(0, 80)}.`,
      'container',
    )
  return container
}

/** Checks an environment: exactly `development` or `production`, lower case. Throws `INVALID_ARGUMENT`. */
export function checkEnvironment(environment: unknown): CloudKitEnvironment {
  if (typeof environment === 'string' && (ENVIRONMENTS as readonly string[]).includes(environment))
    return environment as CloudKitEnvironment
  const lower = typeof environment === 'string' ? environment.toLowerCase() : ''
  throw invalidArgument(
    `The environment must be "development" or "production"${
      (ENVIRONMENTS as readonly string[]).includes(lower)
        ? ` in lower case (got ${JSON.stringify(environment)}; CloudKit rejects it)`
        : `, not ${JSON.stringify(environment)}`
    }.`,
    'environment',
  )
}

/** Checks a database name: `public`, `private` or `shared`. Throws `INVALID_ARGUMENT`. */
export function checkDatabase(database: unknown): CloudKitDatabaseName {
  if (typeof database === 'string' && (DATABASES as readonly string[]).includes(database))
    return database as CloudKitDatabaseName
  throw invalidArgument(
    `The database must be "public", "private" or "shared", not ${JSON.stringify(database)}.`,
    'database',
  )
}

/** The path of a database operation (segments are validated, so nothing needs encoding). */
export function databasePath(
  address: CloudKitAddress,
  database: CloudKitDatabaseName,
  operation: string,
): string {
  return `/database/${CLOUDKIT_API_VERSION}/${address.container}/${address.environment}/${database}/${operation}`
}

/** The path of an APNs token operation: `/device/1/...`, not `/database/1/...` (which answers 405; §1). */
export function devicePath(address: CloudKitAddress, operation: string): string {
  return `/device/${CLOUDKIT_API_VERSION}/${address.container}/${address.environment}/${operation}`
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
