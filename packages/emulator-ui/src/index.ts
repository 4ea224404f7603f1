/**
 * @sigwire/emulator-ui: a web UI for the sigwire emulators, served on loopback. A live log of every
 * request with its verdict, the doctor's token diff for a rejected one (expected and signed
 * string-to-sign, first differing token and byte), fault controls with the same effect as the
 * emulators' `faults` API, and per-service state and controls (approve a Safe Creative authkey, read
 * an iCloud code). `sigwire emulate` starts it; `startEmulatorUi` starts it over emulators you run.
 *
 * @packageDocumentation
 */
export { splitAtByte, splitHexAtByte } from './byte-highlight.js'
export { curlCommand, shellQuote } from './curl.js'
export {
  doctorInput,
  type UiDoctor,
  type UiDoctorInput,
  type UiDoctorProtocol,
  type UiDoctorReport,
} from './doctor-input.js'
export {
  EMULATOR_UI_ERROR_CODES,
  EmulatorUiError,
  type EmulatorUiErrorCode,
  isEmulatorUiError,
} from './errors.js'
export { applyFaultCommand, type FaultCommand, type FaultState, faultState } from './fault-commands.js'
export {
  allowedHosts,
  type GuardedRequest,
  isLoopbackAddress,
  refuseRequest,
  type UiRefusal,
} from './guard.js'
export { type HarDocument, harLog } from './har.js'
export { requestView, type UiDifference, type UiRequest, type UiVerdict } from './request-view.js'
export type { UiAction, UiDownload, UiService, UiView } from './service.js'
export { type AppleNewsEmulatorLike, appleNewsUiService } from './services/apple-news.js'
export { type CloudKitEmulatorLike, cloudKitUiService } from './services/cloudkit.js'
export {
  type ICloudAccountLike,
  type ICloudEmulatorLike,
  type ICloudInspectorLike,
  type ICloudTrustedPhoneLike,
  iCloudUiService,
} from './services/icloud.js'
export {
  type SafeCreativeAuthkeyLike,
  type SafeCreativeEmulatorLike,
  safeCreativeUiService,
} from './services/safe-creative.js'
export { type EmulatorUi, type EmulatorUiOptions, startEmulatorUi, UI_TOKEN_HEADER } from './ui-server.js'
