export type { AuthkeyEditKey } from './authorization-ui.js'
export { startSafeCreativeEmulator } from './emulator.js'
export type {
  SafeCreativeAuthkeySummary,
  SafeCreativeEmulator,
  SafeCreativeEmulatorOptions,
  SafeCreativeWorkSummary,
} from './options.js'
export type { SafeCreativeApp } from './state.js'
