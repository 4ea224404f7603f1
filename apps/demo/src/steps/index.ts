import type { Step } from '../report.js'
import { appleNewsSteps } from './apple-news.js'
import { cloudkitSteps } from './cloudkit.js'
import { coreSteps } from './core.js'
import { icloudSteps } from './icloud.js'
import { safeCreativeSteps } from './safe-creative.js'

/** Every step of the demo, in order. */
export function allSteps(): Step[] {
  return [...coreSteps(), ...cloudkitSteps(), ...appleNewsSteps(), ...safeCreativeSteps(), ...icloudSteps()]
}
