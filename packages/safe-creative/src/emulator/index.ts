export {
  type SafeCreativeEmulator,
  type SafeCreativeEmulatorOptions,
  startSafeCreativeEmulator,
} from './emulator.js'
export type { SafeCreativeApp } from './state.js'
