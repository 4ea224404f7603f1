/**
 * @sigwire/icloud/doctor: why did an iCloud sign-in or service call fail? The diagnosis `sigwire doctor`
 * and the emulator use, over the evidence of a sign-in (statuses, headers, cookies; never secrets),
 * built on @sigwire/core/doctor.
 *
 * @packageDocumentation
 */
export { diagnoseICloudConversation, type ICloudConversationEvidence } from './conversation.js'
export { diagnoseICloudRequest, type ICloudDiagnosis, type ICloudSignInEvidence } from './diagnose.js'
export { ICLOUD_FINDING_CODES, type ICloudFinding, type ICloudFindingCode } from './findings.js'
export {
  type RegisteredSecurityKey,
  SECURITY_KEY_ORIGINS,
  type SecurityKeyAssertionBody,
  type SecurityKeyExpectation,
  type SecurityKeyVerdict,
  verifySecurityKeyAssertion,
} from './security-key.js'
