import { CLOUDKIT_ERROR_CODES, createCloudKitClient, isCloudKitError } from '@sigwire/cloudkit'
import { startCloudKitEmulator } from '@sigwire/emulator'
import type { ServiceUnderFaults } from '../fault-run.js'

const BATCH = 200 // records per lookup (DOC `PropertyMetrics`, §4.4)

/**
 * CloudKit: one `records.modify` create per write on the public database (server-to-server key),
 * with the record name as its key; read back with `records.lookup`, what the OUTCOME_UNKNOWN message
 * recommends.
 */
export async function cloudKitUnderFaults(): Promise<ServiceUnderFaults> {
  const emulator = await startCloudKitEmulator()
  const dev = emulator.dev!
  const client = createCloudKitClient({
    container: dev.container,
    environment: 'development',
    serverToServer: { keyId: dev.keyId, privateKey: dev.privateKeyPem },
    baseUrl: emulator.url,
    transport: { proxy: false },
  })
  const records = client.publicDatabase.records
  const keyOf = (n: number) => `reliability-${n}`
  let written = 0
  return {
    name: 'CloudKit',
    write: 'records.modify (create)',
    faults: emulator.faults,
    pathPrefix: '/database/1/',
    keyOf,
    async perform(n) {
      written = Math.max(written, n + 1)
      const [result] = await records.modify([
        {
          operationType: 'create',
          record: { recordName: keyOf(n), recordType: 'Reliability', fields: { n } },
        },
      ])
      if (!result?.ok) throw result?.error
    },
    async readBack() {
      const held = new Map<string, number>()
      for (let from = 0; from < written; from += BATCH) {
        const names = Array.from({ length: Math.min(BATCH, written - from) }, (_, i) => keyOf(from + i))
        for (const result of await records.lookup(names))
          if (result.ok) held.set(result.record.recordName, (held.get(result.record.recordName) ?? 0) + 1)
          else if (!isCloudKitError(result.error, 'NOT_FOUND')) throw result.error
      }
      return held
    },
    typed: (error) => isCloudKitError(error) && CLOUDKIT_ERROR_CODES.includes(error.code),
    codeOf: (error) => (isCloudKitError(error) ? error.code : undefined),
    outcomeHint: /records\.lookup/,
    async close() {
      await client.close()
      await emulator.close()
    },
  }
}
