/**
 * @sigwire/core/cloudkit: CloudKit Web Services' wire vocabulary (field types, query comparators,
 * server error codes), kept once for the two packages that speak it from either end: the client in
 * `@sigwire/cloudkit` (which re-exports it as `FIELD_TYPES`, `COMPARATORS` and
 * `CLOUDKIT_SERVER_ERROR_CODES`) and the record engine in `@sigwire/emulator-kit/cloudkit`. Neither
 * of those may depend on the other (the kit is the adapter's optional peer), so the lists live here.
 * Import them from `@sigwire/cloudkit`.
 *
 * @packageDocumentation
 */
export {
  CLOUDKIT_COMPARATORS,
  CLOUDKIT_FIELD_TYPES,
  CLOUDKIT_SERVER_ERROR_CODES,
  type CloudKitWireErrorCode,
} from './vocabulary.js'
