export type { PartLimits } from './bundle.js'
export {
  type AppleNewsEmulator,
  type AppleNewsEmulatorChannel,
  type AppleNewsEmulatorOptions,
  startAppleNewsEmulator,
} from './emulator.js'
export type { AppleNewsArticleView, AppleNewsEmulatorState } from './inspect.js'
