import type { ServiceUnderFaults } from '../fault-run.js'
import { appleNewsUnderFaults } from './apple-news.js'
import { cloudKitUnderFaults } from './cloudkit.js'
import { iCloudUnderFaults } from './icloud.js'
import { safeCreativeUnderFaults } from './safe-creative.js'

/** Each service of the reliability run, started fresh (emulator and client) for `workers` writers. */
export const SERVICES_UNDER_FAULTS: ReadonlyArray<{
  readonly name: string
  start(workers: number): Promise<ServiceUnderFaults>
}> = [
  { name: 'CloudKit', start: () => cloudKitUnderFaults() },
  { name: 'Apple News', start: () => appleNewsUnderFaults() },
  { name: 'Safe Creative', start: (workers) => safeCreativeUnderFaults(workers) },
  { name: 'iCloud', start: (workers) => iCloudUnderFaults(workers) },
]
