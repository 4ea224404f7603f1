/** The scalar field types of a CloudKit record; each also has a `_LIST` form (docs/protocols/cloudkit.md §4.1). */
export const CLOUDKIT_FIELD_TYPES = [
  'STRING',
  'INT64',
  'DOUBLE',
  'TIMESTAMP',
  'BYTES',
  'REFERENCE',
  'LOCATION',
  'ASSETID',
] as const

/** Every comparator of a CloudKit query filter (DOC `QueryingRecords`; docs/protocols/cloudkit.md §4.1). */
export const CLOUDKIT_COMPARATORS = [
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
] as const

/** Every `serverErrorCode` CloudKit Web Services documents (DOC `ErrorCodes`; docs/protocols/cloudkit.md §5). */
export const CLOUDKIT_SERVER_ERROR_CODES = [
  'BAD_REQUEST',
  'ATOMIC_ERROR',
  'AUTHENTICATION_FAILED',
  'ACCESS_DENIED',
  'NOT_FOUND',
  'ZONE_NOT_FOUND',
  'CONFLICT',
  'EXISTS',
  'VALIDATING_REFERENCE_ERROR',
  'QUOTA_EXCEEDED',
  'AUTHENTICATION_REQUIRED',
  'THROTTLED',
  'INTERNAL_ERROR',
  'TRY_AGAIN_LATER',
  'UNIQUE_FIELD_ERROR',
  'ZONE_BUSY',
] as const

/** One of {@link CLOUDKIT_SERVER_ERROR_CODES}. */
export type CloudKitWireErrorCode = (typeof CLOUDKIT_SERVER_ERROR_CODES)[number]
