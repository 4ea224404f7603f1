/**
 * `@sigwire/emulator-kit/cloudkit`: the record, query, zone and change-token engine of CloudKit-shaped
 * emulators. The CloudKit Web Services emulator (@sigwire/cloudkit/emulator) and the Photos library
 * behind the iCloud emulator's `ckdatabasews` (@sigwire/icloud/emulator) both run on it, so neither
 * adapter depends on the other. Everything here works on an {@link OperationContext}: the request's
 * parsed body, its transaction, and the database the caller sees.
 *
 * @packageDocumentation
 */

export {
  actor,
  databaseOf,
  listOf,
  newChangeTag,
  nextCounter,
  type OperationContext,
  type Principal,
  renderAsset,
  zoneName,
  zoneOf,
} from './context.js'
export { badRequest, cloudKitError, errorBody, itemError, renderCloudKitError } from './errors.js'
export { queryRecords } from './query.js'
export {
  dictionary,
  limitOf,
  lookupRecords,
  modifyRecords,
  recordChanges,
  renderRecord,
  zoneSyncToken,
} from './records.js'
export {
  CLOUDKIT_TABLES,
  CloudKitData,
  DEFAULT_ZONE,
  newZone,
  type StoredApnsToken,
  type StoredAsset,
  type StoredChange,
  type StoredDatabase,
  type StoredKey,
  type StoredRecord,
  type StoredSession,
  type StoredTombstone,
  type StoredUpload,
  type StoredZone,
  scopeKey,
} from './state.js'
export {
  ENGINE_COMPARATORS,
  ENGINE_ERROR_STATUS,
  ENGINE_FIELD_TYPES,
  type EngineErrorCode,
  type EngineField,
  type EngineZoneID,
} from './vocabulary.js'
export { listZones, lookupZones, modifyZones, zoneChanges } from './zones.js'
