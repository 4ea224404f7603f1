/**
 * @sigwire/safe-creative: the Safe Creative API v2 for Node.js. SHA-1 parameter signing with the key
 * chosen per component, `ztime` kept in sync, signature analysis exactly as the arena prints it, a
 * verifier, a doctor, and a typed client for the authkey flow, uploads and works.
 *
 * @packageDocumentation
 */

export {
  type AuthorizeOptions,
  type CallOptions,
  type ComponentCallOptions,
  SafeCreativeClient,
  type SafeCreativeClientOptions,
  type WaitOptions,
} from './client/client.js'
export type { AuthkeyState, CodeName, License, Page, Work, WorkPerson, WorkSummary } from './client/models.js'
export {
  type AuthorizationStore,
  fileAuthorizationStore,
  memoryAuthorizationStore,
  type StoredAuthorization,
} from './client/store.js'
export type { UploadMethod, UploadOptions } from './client/upload.js'
export { type RegisterFileOptions, SafeCreativeUser, type WorkListFilters } from './client/user.js'
export type { WorkFields, WorkLink, WorkSource } from './client/work-fields.js'
export {
  AUTH_LEVELS,
  AUTHKEY_EDIT_PATH,
  type AuthLevel,
  EXCLUDED_PARAMS,
  levelAllows,
  SAFE_CREATIVE_API_URL,
  SAFE_CREATIVE_ARENA_URL,
  SIGNATURE_ANALYSIS,
  UPLOAD_CHUNK_BYTES,
  ZTIME_WINDOW_MS,
} from './constants.js'
export {
  diagnoseSafeCreativeRequest,
  SAFE_CREATIVE_FINDING_CODES,
  type SafeCreativeDiagnoseInput,
  type SafeCreativeDiagnosis,
  type SafeCreativeFindingCode,
} from './doctor/diagnose.js'
export {
  ERROR_ID_CODES,
  isSafeCreativeError,
  SafeCreativeError,
  type SafeCreativeErrorCode,
} from './errors.js'
export {
  analysisTokenLine,
  analyzeSignature,
  escapeXml,
  renderSignatureAnalysisXml,
  type SignatureAnalysis,
} from './signing/analysis.js'
export { tokenizeClaimedString } from './signing/claimed-string.js'
export {
  type AppSignedComponent,
  AUTHKEY_EDIT_COMPONENT,
  type AuthkeySignedComponent,
  COMPONENT_SIGNING_KEYS,
  type KnownComponent,
  NONCE_COMPONENTS,
  type SigningKeyKind,
  signingKeyFor,
  type UnsignedComponent,
} from './signing/component-keys.js'
export { type ParamPair, type ParamsInput, paramValue, toParamPairs } from './signing/params.js'
export { firstValues, type ReceivedParams, receivedParams } from './signing/received-params.js'
export {
  type AuthkeyCredentials,
  createSafeCreativeSigner,
  requestParams,
  type SafeCreativeCredentials,
  type SafeCreativeSigner,
  type SignedParams,
  type SignParamsOptions,
} from './signing/signer.js'
export {
  buildStringToSign,
  compareParamNames,
  SafeCreativeStringToSign,
  type StringToSignVariant,
} from './signing/string-to-sign.js'
export {
  type SafeCreativeVerifyReason,
  type VerifyKeys,
  type VerifyParamsOptions,
  type VerifyRequestOptions,
  verifySafeCreativeParams,
  verifySafeCreativeRequest,
} from './signing/verify.js'
export { checkZtime, formatSkew, type ZtimeProblem } from './signing/ztime.js'
export { parseXml, type XmlDocument, type XmlObject, type XmlValue } from './xml/parse-response.js'
