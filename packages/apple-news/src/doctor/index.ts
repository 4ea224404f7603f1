/**
 * @sigwire/apple-news/doctor: why was an Apple News API request rejected? The HHMAC verifier the emulator
 * uses, the Authorization header parser, and the diagnosis `sigwire doctor apple-news` prints.
 *
 * @packageDocumentation
 */
export {
  type AuthorizationParseCode,
  type ParsedAuthorization,
  parseAppleNewsAuthorization,
} from '../signing/authorization.js'
export {
  type AppleNewsAuthCode,
  type AppleNewsKeyLookup,
  type AppleNewsVerifyOptions,
  type AppleNewsVerifyResult,
  verifyAppleNewsRequest,
} from '../signing/verify.js'
export {
  APPLE_NEWS_FINDING_CODES,
  type AppleNewsFindingCode,
  type DiagnoseAppleNewsInput,
  diagnoseAppleNewsRequest,
} from './diagnose.js'
