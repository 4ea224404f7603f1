import type { Suite } from '../suite.js'
import { coreTokensSuite } from './core-tokens.js'

/** Every suite, in report order. */
export const suites: readonly Suite[] = [coreTokensSuite]
