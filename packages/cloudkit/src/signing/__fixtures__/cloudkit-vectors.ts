import type { CloudKitNegativeCase, CloudKitVectorCase } from '@sigwire/vitest-config/vectors'
import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** A request CloudKit JS 2.6.4 sent, exactly as it handed it to fetch. */
export type PositiveCase = CloudKitVectorCase
/** A published failed attempt, with the mistake a correct doctor must name. */
export type NegativeCase = CloudKitNegativeCase

/** tooling/vectors/cloudkit.json: positive cases from Apple's CloudKit JS 2.6.4, negatives from published failures. */
export const vectors = loadVectorFile('cloudkit.json')
