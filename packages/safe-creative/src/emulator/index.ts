export type { AuthkeyEditKey } from './authorization-ui.js'
export { startSafeCreativeEmulator } from './emulator.js'
export type { SafeCreativeEmulator, SafeCreativeEmulatorOptions } from './options.js'
export type { SafeCreativeApp } from './state.js'
