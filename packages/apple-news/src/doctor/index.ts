/**
 * @sigwire/apple-news/doctor: why was an Apple News API request rejected? The HHMAC verifier the
 * emulator uses, the Authorization header parser, and the diagnosis `sigwire doctor apple-news` prints
 * (known mistakes by candidate search, a one-byte edit search, and the token diff), built on
 * @sigwire/core/doctor.
 *
 * @packageDocumentation
 */
export {
  type AuthorizationParseCode,
  type ParsedAuthorization,
  parseAppleNewsAuthorization,
} from '../signing/authorization.js'
export { APPLE_NEWS_GRAMMAR } from '../signing/claimed-grammar.js'
export { type AppleNewsStringToSignVariant, appleNewsSignsEntity } from '../signing/string-to-sign.js'
export {
  type AppleNewsAuthCode,
  type AppleNewsKeyLookup,
  type AppleNewsVerifyOptions,
  type AppleNewsVerifyResult,
  verifyAppleNewsRequest,
} from '../signing/verify.js'
export {
  type AppleNewsDiagnoseInput,
  type AppleNewsDiagnosis,
  diagnoseAppleNewsRequest,
} from './diagnose.js'
export { APPLE_NEWS_FINDING_CODES, type AppleNewsFinding, type AppleNewsFindingCode } from './findings.js'
export { appleNewsOneByteEdit, FULL_SEARCH_BYTES, HEAD_SEARCH_BYTES } from './one-byte.js'
