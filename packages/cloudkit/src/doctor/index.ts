/**
 * @sigwire/cloudkit/doctor: why was a CloudKit request rejected? The verifier the emulator uses and the
 * diagnosis `sigwire doctor cloudkit` prints (the candidate search over known mistakes and the token diff).
 *
 * @packageDocumentation
 */
export { inspectEcdsaSignature, type SignatureShape } from '../signing/der.js'
export { type PublicKeyInput, parseCloudKitPublicKey } from '../signing/keys.js'
export { TOKEN } from '../signing/string-to-sign.js'
export {
  type CloudKitVerifyOptions,
  type CloudKitVerifyReason,
  type CloudKitVerifyResult,
  type EmptyBodyHashRule,
  verifyCloudKitRequest,
} from '../signing/verify.js'
export {
  type CloudKitDiagnosis,
  type DiagnoseCloudKitInput,
  diagnoseCloudKitRequest,
  type RegisteredKey,
  type SignatureMatch,
} from './diagnose.js'
export { type CloudKitFinding, type CloudKitFindingCode, FINDING_ORDER } from './findings.js'
