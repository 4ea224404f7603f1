import type { Step } from '../report.js'
import { appleNewsSteps } from './apple-news.js'
import { coreSteps } from './core.js'

/** Every step of the demo, in order. */
export function allSteps(): Step[] {
  return [...coreSteps(), ...appleNewsSteps()]
}
