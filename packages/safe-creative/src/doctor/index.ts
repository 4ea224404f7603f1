/**
 * @sigwire/safe-creative/doctor: why was a Safe Creative call rejected? The verifier the emulator uses, the
 * `signature.analysis` reading, and the diagnosis `sigwire doctor safe-creative` prints.
 *
 * @packageDocumentation
 */
export { analysisTokenLine, analyzeSignature, type SignatureAnalysis } from '../signing/analysis.js'
export { tokenizeClaimedString } from '../signing/claimed-string.js'
export { NONCE_COMPONENTS, type SigningKeyKind, signingKeyFor } from '../signing/component-keys.js'
export { firstValues, type ReceivedParams, receivedParams } from '../signing/received-params.js'
export {
  type SafeCreativeVerifyReason,
  type VerifyKeys,
  type VerifyParamsOptions,
  type VerifyRequestOptions,
  verifySafeCreativeParams,
  verifySafeCreativeRequest,
} from '../signing/verify.js'
export { checkZtime, formatSkew, type ZtimeProblem } from '../signing/ztime.js'
export {
  diagnoseSafeCreativeRequest,
  type SafeCreativeDiagnoseInput,
  type SafeCreativeDiagnosis,
  type SafeCreativeFindingCode,
} from './diagnose.js'
