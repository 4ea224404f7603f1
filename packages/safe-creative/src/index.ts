/**
 * @sigwire/safe-creative: the Safe Creative API v2 for Node.js. SHA-1 parameter signing with the key
 * chosen per component, `ztime` kept in sync, signature analysis exactly as the arena prints it, a
 * verifier, a doctor, and a typed client for the authkey flow, uploads and works.
 *
 * @packageDocumentation
 */

/** The options every call takes last, and the transport options (from @sigwire/core). */
export type { CallOptions, ProgressListener, TransportOptions } from '@sigwire/core'
export type {
  AccountFields,
  LinkUserInput,
  ModifyUserInput,
  SafeCreativeUser,
  UserLink,
  UserQuota,
} from './client/account-models.js'
export type { PartnerApi } from './client/app-components.js'
export type {
  DownloadInfo,
  LicenseFeature,
  LicenseFeatureValue,
  WorkTypeGroup,
} from './client/catalog-models.js'
export {
  type AuthorizeOptions,
  type ComponentCallOptions,
  createSafeCreativeClient,
  type SafeCreativeClient,
  type SafeCreativeClientOptions,
  type WaitOptions,
} from './client/client.js'
export type { AuthkeyState, CodeName, License, Page, Work, WorkPerson, WorkSummary } from './client/models.js'
export type {
  AddRightsHolderInput,
  RightsHolder,
  RightsHolderRole,
  RightsHoldersApi,
  RightsSharingState,
} from './client/rights-holders.js'
export type {
  FileSearchResult,
  HashQuery,
  SearchApi,
  SearchField,
  SearchOptions,
  SemanticKey,
  SemanticQuery,
} from './client/search.js'
export {
  type AuthorizationStore,
  createFileAuthorizationStore,
  createMemoryAuthorizationStore,
  type StoredAuthorization,
} from './client/store.js'
export type { UploadMethod, UploadOptions } from './client/upload.js'
export type { RegisterFileOptions, UserApi, WorkListFilters } from './client/user.js'
export type {
  AttachmentSource,
  UploadTicketState,
  UserWorksApi,
  WorkUpdate,
} from './client/user-works.js'
export type { WorkFields, WorkLink, WorkSource } from './client/work-fields.js'
export {
  AUTH_LEVELS,
  AUTHKEY_EDIT_PATH,
  type AuthLevel,
  EXCLUDED_PARAMS,
  SAFE_CREATIVE_API_URL,
  SAFE_CREATIVE_ARENA_URL,
  SAFE_CREATIVE_SEARCH_URL,
  UPLOAD_CHUNK_BYTES,
  ZTIME_WINDOW_MS,
} from './constants.js'
export {
  ERROR_ID_CODES,
  isSafeCreativeError,
  SAFE_CREATIVE_ERROR_CODES,
  SafeCreativeError,
  type SafeCreativeErrorCode,
  type SafeCreativeFailure,
} from './errors.js'
export {
  APP_SIGNED_COMPONENTS,
  type AppSignedComponent,
  AUTHKEY_SIGNED_COMPONENTS,
  type AuthkeySignedComponent,
  type KnownComponent,
  UNSIGNED_COMPONENTS,
  type UnsignedComponent,
} from './signing/component-keys.js'
export { type ParamPair, type ParamsInput, paramValue, toParamPairs } from './signing/params.js'
export {
  type AuthkeyCredentials,
  createSafeCreativeSigner,
  type SafeCreativeCredentials,
  type SafeCreativeSigner,
  type SignedParams,
  type SignParamsOptions,
} from './signing/signer.js'
export {
  buildStringToSign,
  SafeCreativeStringToSign,
  type StringToSignVariant,
} from './signing/string-to-sign.js'
export type { XmlObject, XmlValue } from './xml/parse-response.js'
