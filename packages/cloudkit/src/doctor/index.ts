/**
 * @sigwire/cloudkit/doctor: why was a CloudKit request rejected? The verifier the emulator uses and the
 * diagnosis `sigwire doctor cloudkit` prints (the candidate search over known mistakes and the token
 * diff), built on @sigwire/core/doctor.
 *
 * @packageDocumentation
 */
export { CLOUDKIT_GRAMMAR } from '../signing/claimed-grammar.js'
export { inspectEcdsaSignature, type SignatureShape } from '../signing/der.js'
export { type PublicKeyInput, parseCloudKitPublicKey } from '../signing/keys.js'
export { CLOUDKIT_LAYOUT, type CloudKitField, TOKEN } from '../signing/string-to-sign.js'
export {
  type CloudKitVerifyOptions,
  type CloudKitVerifyReason,
  type CloudKitVerifyResult,
  type EmptyBodyHashRule,
  verifyCloudKitRequest,
} from '../signing/verify.js'
export {
  type CloudKitDiagnoseInput,
  type CloudKitDiagnosis,
  diagnoseCloudKitRequest,
  type RegisteredKey,
  type SignatureMatch,
} from './diagnose.js'
export { CLOUDKIT_FINDING_CODES, type CloudKitFinding, type CloudKitFindingCode } from './findings.js'
