import { loadVectorFile } from '@sigwire/vitest-config/vectors'

/** tooling/vectors/cloudkit.json (CloudKit JS 2.6.4 and published failures). */
export const cloudKitVectors = loadVectorFile('cloudkit.json')
