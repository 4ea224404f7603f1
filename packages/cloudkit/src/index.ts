/**
 * @sigwire/cloudkit: CloudKit Web Services for Node.js. Server-to-server ECDSA P-256 signing over the
 * exact bytes sent, the matching verifier, a doctor that says why a request was rejected, and a typed
 * client for records, zones, subscriptions, users, APNs tokens and assets.
 *
 * @packageDocumentation
 */

/** The progress contract of `assets.upload`, `uploadBytes`, `download` and `downloadToFile` (from @sigwire/core). */
export type { ProgressListener, ProgressOptions } from '@sigwire/core'
export type { CloudKitAddress, CloudKitDatabaseName, CloudKitEnvironment } from './client/address.js'
export {
  Assets,
  type AssetTarget,
  type AssetUploadInput,
  type AssetUploadUrl,
  type UploadedAsset,
} from './client/assets.js'
export {
  type CloudKitClient,
  type CloudKitClientOptions,
  type CloudKitDatabase,
  createCloudKitClient,
} from './client/client.js'
export {
  type Asset,
  type AssetReceipt,
  type FieldInput,
  type FieldType,
  type FieldValue,
  field,
  type Location,
  type Reference,
  type WireField,
  type ZoneID,
} from './client/fields.js'
export type { Comparator, Filter, Query, QueryOptions, Sort, SystemFieldName } from './client/query.js'
export { type LookupOptions, type ModifyOptions, type RecordChangesInput, Records } from './client/records.js'
export type { ServerErrorBody } from './client/response-errors.js'
export { type SubscriptionOperation, Subscriptions } from './client/subscriptions.js'
export { Tokens } from './client/tokens.js'
export type {
  ApnsToken,
  CallOptions,
  ChangeInfo,
  CloudKitRecord,
  QueryPage,
  RecordChangesPage,
  RecordInput,
  RecordOperation,
  RecordOperationType,
  RecordResult,
  Subscription,
  SubscriptionResult,
  UserIdentity,
  WireRecord,
  Zone,
  ZoneChangesPage,
  ZoneResult,
} from './client/types.js'
export { Users } from './client/users.js'
export { type ZoneOperation, Zones } from './client/zones.js'
export {
  CLOUDKIT_API_ORIGIN,
  DATABASES,
  DEFAULT_DATE_WINDOW_SECONDS,
  EMPTY_BODY_HASH,
  ENVIRONMENTS,
  FIELD_TYPES,
  HEADER_DATE,
  HEADER_KEY_ID,
  HEADER_SIGNATURE,
  HEADER_WEB_AUTH_TOKEN,
  LIMITS,
  OPENSSL,
  PARAM_API_TOKEN,
  PARAM_WEB_AUTH_TOKEN,
} from './constants.js'
export {
  CLOUDKIT_SERVER_ERROR_CODES,
  CloudKitError,
  type CloudKitErrorCode,
  type CloudKitErrorOptions,
  type CloudKitServerErrorCode,
  isCloudKitError,
  isServerErrorCode,
} from './errors.js'
export { cloudKitBodyHash } from './signing/body-hash.js'
export { type PrivateKeyInput, parseCloudKitPrivateKey, publicKeyPemOf } from './signing/keys.js'
export {
  type CloudKitSigner,
  type CloudKitSignerCredentials,
  createCloudKitSigner,
  type SignableRequest,
} from './signing/signer.js'
export {
  type CloudKitMessage,
  cloudKitMessage,
  type StringToSignParts,
} from './signing/string-to-sign.js'
