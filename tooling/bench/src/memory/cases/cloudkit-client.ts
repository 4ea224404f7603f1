import { createCloudKitClient } from '@sigwire/cloudkit'
import type { CaseInput } from '../cases.js'
import { cloudKitOptions } from './cloudkit-credentials.js'

/** CloudKit `assets.upload` from a file path, as a user calls it (the client refuses more than 50 MiB). */
export async function prepare({ servers, file }: CaseInput) {
  const client = createCloudKitClient({
    ...cloudKitOptions(servers.cloudkit!),
    transport: { timeoutMs: 900_000, proxy: false },
  })
  return {
    async send() {
      const uploaded = await client.publicDatabase.assets.upload({
        recordType: 'Photo',
        fieldName: 'image',
        body: file,
      })
      if (!uploaded.receipt.receipt) throw new Error('no receipt')
    },
    close: () => client.close(),
  }
}
