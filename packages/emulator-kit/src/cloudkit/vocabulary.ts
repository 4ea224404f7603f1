/**
 * The server side of CloudKit's wire vocabulary, as the engine checks it. The client halves of these
 * lists live in @sigwire/cloudkit (`FIELD_TYPES`, `COMPARATORS`, `CLOUDKIT_SERVER_ERROR_CODES`); a test
 * there keeps both in step (docs/protocols/cloudkit.md §4.1, §5).
 */

/** A field value as it travels: `{ value, type }` (CloudKit's record field dictionary). */
export interface EngineField {
  /** The value in its JSON form (milliseconds for TIMESTAMP, base64 for BYTES). */
  readonly value: unknown
  /** The type tag (`STRING`, `INT64_LIST`, ...); inferred from the value when absent. */
  readonly type?: string
}

/** A zone's identity (CloudKit's zone ID dictionary). */
export interface EngineZoneID {
  /** The zone's name (`_defaultZone`, `PrimarySync`, ...). */
  readonly zoneName: string
  /** The owner, for zones of the shared database. */
  readonly ownerRecordName?: string
  /** `REGULAR_CUSTOM_ZONE` in Apple's own containers. */
  readonly zoneType?: string
}

/** The scalar field types CloudKit Web Services accepts; each also has a `_LIST` form. */
export const ENGINE_FIELD_TYPES: readonly string[] = [
  'STRING',
  'INT64',
  'DOUBLE',
  'TIMESTAMP',
  'BYTES',
  'REFERENCE',
  'LOCATION',
  'ASSETID',
]

/** Every comparator a query filter may use. */
export const ENGINE_COMPARATORS: readonly string[] = [
  'EQUALS',
  'NOT_EQUALS',
  'LESS_THAN',
  'LESS_THAN_OR_EQUALS',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUALS',
  'NEAR',
  'CONTAINS_ALL_TOKENS',
  'IN',
  'NOT_IN',
  'CONTAINS_ANY_TOKENS',
  'LIST_CONTAINS',
  'NOT_LIST_CONTAINS',
  'NOT_LIST_CONTAINS_ANY',
  'BEGINS_WITH',
  'NOT_BEGINS_WITH',
  'LIST_MEMBER_BEGINS_WITH',
  'NOT_LIST_MEMBER_BEGINS_WITH',
  'LIST_CONTAINS_ALL',
  'NOT_LIST_CONTAINS_ALL',
]

/** A `serverErrorCode` the engine answers with. */
export type EngineErrorCode =
  | 'BAD_REQUEST'
  | 'ATOMIC_ERROR'
  | 'AUTHENTICATION_FAILED'
  | 'ACCESS_DENIED'
  | 'NOT_FOUND'
  | 'ZONE_NOT_FOUND'
  | 'CONFLICT'
  | 'EXISTS'
  | 'VALIDATING_REFERENCE_ERROR'
  | 'QUOTA_EXCEEDED'
  | 'AUTHENTICATION_REQUIRED'
  | 'THROTTLED'
  | 'INTERNAL_ERROR'
  | 'TRY_AGAIN_LATER'
  | 'UNIQUE_FIELD_ERROR'
  | 'ZONE_BUSY'

/** The HTTP status of each server error code (docs/protocols/cloudkit.md §5). */
export const ENGINE_ERROR_STATUS: Readonly<Record<EngineErrorCode, number>> = {
  BAD_REQUEST: 400,
  ATOMIC_ERROR: 400,
  AUTHENTICATION_FAILED: 401,
  ACCESS_DENIED: 403,
  NOT_FOUND: 404,
  ZONE_NOT_FOUND: 404,
  CONFLICT: 409,
  EXISTS: 409,
  VALIDATING_REFERENCE_ERROR: 412,
  QUOTA_EXCEEDED: 413,
  AUTHENTICATION_REQUIRED: 421,
  THROTTLED: 429,
  INTERNAL_ERROR: 500,
  TRY_AGAIN_LATER: 503,
  UNIQUE_FIELD_ERROR: 409,
  ZONE_BUSY: 503,
}
