/**
 * CloudKit's wire vocabulary as the engine checks it. The lists themselves live once in
 * `@sigwire/core/cloudkit`, shared with the client in @sigwire/cloudkit (which this kit must not depend
 * on); only the server's half, the status of each error code, is kept here (docs/protocols/cloudkit.md
 * §4.1, §5).
 */
import {
  CLOUDKIT_COMPARATORS,
  CLOUDKIT_FIELD_TYPES,
  type CloudKitWireErrorCode,
} from '@sigwire/core/cloudkit'

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
export const ENGINE_FIELD_TYPES: readonly string[] = CLOUDKIT_FIELD_TYPES

/** Every comparator a query filter may use. */
export const ENGINE_COMPARATORS: readonly string[] = CLOUDKIT_COMPARATORS

/** A `serverErrorCode` the engine answers with. */
export type EngineErrorCode = CloudKitWireErrorCode

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
