import { createKeeper, type Keeper } from '../keep.js'
import type { Step } from '../report.js'
import { appleNewsSteps } from './apple-news.js'
import { cloudkitSteps } from './cloudkit.js'
import { coreSteps } from './core.js'
import { icloudSteps } from './icloud.js'
import { safeCreativeSteps } from './safe-creative.js'

/** Every step of the demo, in order; `keeper` decides whether the emulators close at the end. */
export function allSteps(keeper: Keeper = createKeeper(false)): Step[] {
  return [
    ...coreSteps(),
    ...cloudkitSteps(keeper),
    ...appleNewsSteps(keeper),
    ...safeCreativeSteps(keeper),
    ...icloudSteps(keeper),
  ]
}
