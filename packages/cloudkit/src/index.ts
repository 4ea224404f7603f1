/**
 * @sigwire/cloudkit: CloudKit Web Services for Node.js. Server-to-server ECDSA P-256 signing over the
 * exact bytes sent, the matching verifier, a doctor that says why a request was rejected, and a typed
 * client for records, zones, change feeds, shares, subscriptions, notifications, users, APNs tokens
 * and assets.
 *
 * @packageDocumentation
 */

/**
 * The options every call takes last, the progress contract of `assets.upload`, `uploadBytes`,
 * `download` and `downloadToFile`, and the transport options (from @sigwire/core).
 */
export type { CallOptions, ProgressListener, ProgressOptions, TransportOptions } from '@sigwire/core'
export type { RenewWebAuthToken, WebAuthRenewal } from './auth/web-auth-session.js'
export {
  createMemoryWebAuthTokenStore,
  createSharedWebAuthTokenStore,
  type SharedWebAuthTokenStoreOptions,
  type WebAuthTokenFleet,
  type WebAuthTokenStore,
} from './auth/web-auth-token-store.js'
export type { CloudKitAddress, CloudKitDatabaseName, CloudKitEnvironment } from './client/address.js'
export type { ExistingAsset, RereferenceResult } from './client/asset-rereference.js'
export type {
  AssetsApi,
  AssetTarget,
  AssetUploadInput,
  AssetUploadUrl,
  UploadedAsset,
} from './client/assets.js'
export type {
  ChangedZone,
  ChangeFeedOptions,
  ChangesApi,
  DatabaseChangesInput,
  DatabaseChangesPage,
  ZoneChangesRequest,
  ZoneChangesResult,
  ZoneRecordChangesPage,
} from './client/changes.js'
export {
  type CloudKitClient,
  type CloudKitClientOptions,
  createCloudKitClient,
  type DatabaseApi,
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
export {
  type CloudKitNotification,
  type DatabaseNotification,
  parseNotification,
  type QueryNotification,
  type RecordZoneNotification,
  type UnknownNotification,
} from './client/notification-types.js'
export type { ListenOptions, NotificationsApi, PollOptions } from './client/notifications.js'
export {
  COMPARATORS,
  type Comparator,
  type Filter,
  type Query,
  type QueryOptions,
  type Sort,
  type SystemFieldName,
} from './client/query.js'
export type { LookupOptions, ModifyOptions, RecordChangesInput, RecordsApi } from './client/records.js'
export type { ServerErrorBody } from './client/response-errors.js'
export {
  SHARE_RECORD_TYPE,
  type ShareAcceptanceStatus,
  type ShareInfo,
  type ShareParticipant,
  type ShareParticipantInput,
  type ShareParticipantType,
  type SharePermission,
  type SharingAttributes,
  type SharingInput,
} from './client/share-types.js'
export {
  type ShareInfoResult,
  type ShareInput,
  type SharingApi,
  type ShortGuidInput,
  shareOperation,
} from './client/sharing.js'
export {
  createFilePushRegistrationStore,
  createFileSyncTokenStore,
  createMemoryPushRegistrationStore,
  createMemorySyncTokenStore,
  type PushRegistration,
  type PushRegistrationStore,
  type SyncTokenStore,
} from './client/stores.js'
export type { SubscriptionOperation, SubscriptionsApi } from './client/subscriptions.js'
export type { TokensApi } from './client/tokens.js'
export type {
  ApnsToken,
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
export type { UsersApi } from './client/users.js'
export type { ZoneOperation, ZonesApi } from './client/zones.js'
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
  CLOUDKIT_ERROR_CODES,
  CLOUDKIT_SERVER_ERROR_CODES,
  CloudKitError,
  type CloudKitErrorCode,
  type CloudKitErrorOptions,
  type CloudKitFailure,
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
