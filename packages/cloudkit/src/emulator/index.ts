export type { AuthRejection } from './auth.js'
export { type CloudKitEmulator, type CloudKitRejection, startCloudKitEmulator } from './emulator.js'
export type {
  CloudKitDatabaseView,
  CloudKitEmulatorState,
  CloudKitRecordView,
  CloudKitZoneView,
} from './inspect.js'
export {
  type CloudKitContainerConfig,
  type CloudKitDevCredentials,
  type CloudKitEmulatorOptions,
  type CloudKitKeyConfig,
  type CloudKitUserConfig,
  DEV_CONTAINER,
} from './options.js'
