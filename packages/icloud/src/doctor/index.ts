/**
 * @sigwire/icloud/doctor: why did an iCloud sign-in or service call fail? The diagnosis `sigwire doctor`
 * and the emulator use, over the evidence of a sign-in (statuses, headers, cookies; never secrets).
 *
 * @packageDocumentation
 */
export {
  diagnoseICloudRequest,
  ICLOUD_FINDING_CODES,
  type ICloudFindingCode,
  type ICloudSignInEvidence,
} from './diagnose.js'
