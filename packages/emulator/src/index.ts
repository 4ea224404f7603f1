/**
 * @sigwire/emulator: local servers that verify signatures the way the real services do, keep state,
 * and inject faults. Each service's emulator lives in its own folder and is exported here.
 *
 * @packageDocumentation
 */

export {
  type AppleNewsEmulator,
  type AppleNewsEmulatorChannel,
  type AppleNewsEmulatorOptions,
  startAppleNewsEmulator,
} from './apple-news/index.js'
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
} from './cloudkit/index.js'
export {
  type ICloudAccountConfig,
  ICloudAccounts,
  type ICloudDevAccount,
  type ICloudEmulator,
  type ICloudEmulatorOptions,
  type ICloudSettings,
  type RequestRecord,
  startICloudEmulator,
} from './icloud/index.js'
export {
  type SafeCreativeApp,
  type SafeCreativeEmulator,
  type SafeCreativeEmulatorOptions,
  startSafeCreativeEmulator,
} from './safe-creative/index.js'
export {
  type EmulatorHandlers,
  type EmulatorRequest,
  type Fault,
  FaultController,
  type FaultKind,
  type FaultOptions,
  type RunningServer,
  type ServerOptions,
  selfSignedCertificate,
  sendJson,
  startEmulatorServer,
  type TlsMaterial,
} from './shared/index.js'
