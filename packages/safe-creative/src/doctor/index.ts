/**
 * @sigwire/safe-creative/doctor: why was a Safe Creative call rejected? The verifier the emulator uses,
 * the `signature.analysis` reading, and the diagnosis `sigwire doctor safe-creative` prints, built on
 * @sigwire/core/doctor.
 *
 * @packageDocumentation
 */
export { analysisTokenLine, analyzeSignature, type SignatureAnalysis } from '../signing/analysis.js'
export { SAFE_CREATIVE_GRAMMAR } from '../signing/claimed-grammar.js'
export { NONCE_COMPONENTS, type SigningKeyKind, signingKeyFor } from '../signing/component-keys.js'
export { firstValues, type ReceivedParams, receivedParams } from '../signing/received-params.js'
export {
  type SafeCreativeVerifyKeys,
  type SafeCreativeVerifyOptions,
  type SafeCreativeVerifyReason,
  type SafeCreativeVerifyResult,
  verifySafeCreativeRequest,
} from '../signing/verify.js'
export { checkZtime, formatSkew, type ZtimeProblem } from '../signing/ztime.js'
export {
  diagnoseSafeCreativeRequest,
  type SafeCreativeDiagnoseInput,
  type SafeCreativeDiagnosis,
} from './diagnose.js'
export {
  SAFE_CREATIVE_FINDING_CODES,
  type SafeCreativeFinding,
  type SafeCreativeFindingCode,
} from './findings.js'
