/**
 * @sigwire/emulator: all four sigwire emulators in one package (CloudKit Web Services, Apple News API,
 * Safe Creative, iCloud.com) and the shared kit they are built on. Each emulator is also available on
 * its own as `@sigwire/<service>/emulator`, which installs nothing of the other services.
 *
 * @packageDocumentation
 */

export {
  type AppleNewsEmulator,
  type AppleNewsEmulatorChannel,
  type AppleNewsEmulatorOptions,
  startAppleNewsEmulator,
} from '@sigwire/apple-news/emulator'
export {
  type CloudKitContainerConfig,
  type CloudKitDevCredentials,
  type CloudKitEmulator,
  type CloudKitEmulatorOptions,
  type CloudKitKeyConfig,
  type CloudKitRejection,
  type CloudKitUserConfig,
  DEV_CONTAINER as CLOUDKIT_DEV_CONTAINER,
  startCloudKitEmulator,
} from '@sigwire/cloudkit/emulator'
export {
  DurableStore,
  type EmulatorApp,
  EmulatorError,
  type EmulatorHandlers,
  type EmulatorRequest,
  FAULT_KINDS,
  type Fault,
  FaultController,
  type FaultInjection,
  type FaultKind,
  type FaultOptions,
  type RandomFaults,
  type Reply,
  RequestLog,
  type RequestLogEntry,
  type Route,
  type RouteRequest,
  type RunningEmulator,
  type RunningServer,
  reply,
  type ServerOptions,
  selfSignedCertificate,
  sendJson,
  startEmulator,
  startEmulatorServer,
  type TlsMaterial,
} from '@sigwire/emulator-kit'
export {
  type AppLibrary,
  createSoftwareAuthenticator,
  type DriveControls,
  type DriveEmulatorOptions,
  type ICloudAccountConfig,
  ICloudAccounts,
  type ICloudDevAccount,
  type ICloudEmulator,
  type ICloudEmulatorOptions,
  type ICloudSettings,
  type RequestRecord,
  type SoftwareAuthenticator,
  type SoftwareAuthenticatorOptions,
  startICloudEmulator,
} from '@sigwire/icloud/emulator'
export {
  type SafeCreativeApp,
  type SafeCreativeEmulator,
  type SafeCreativeEmulatorOptions,
  startSafeCreativeEmulator,
} from '@sigwire/safe-creative/emulator'
