import { createCloudKitClient } from '@sigwire/cloudkit'
import { createRequest, fileBody, Transport, utf8Decode } from '@sigwire/core'
import type { CaseInput } from '../cases.js'
import { cloudKitOptions } from './cloudkit-credentials.js'

/**
 * A CloudKit asset larger than the client's 50 MiB check: the upload URL comes from the client's
 * signed `assets/upload`, then the file is POSTed to it by the same transport call `uploadBytes` makes
 * (an unsigned, streamed `Transport.send`), against an emulator whose `maxAssetBytes` is raised.
 */
export async function prepare({ servers, file }: CaseInput) {
  const transport = new Transport({ proxy: false, timeoutMs: 900_000 })
  const client = createCloudKitClient({ ...cloudKitOptions(servers.cloudkit!), transport })
  return {
    async send() {
      const [target] = await client.publicDatabase.assets.requestUploadUrls([
        { recordType: 'Photo', fieldName: 'image' },
      ])
      const response = await transport.send(
        createRequest({ method: 'POST', url: target!.url, body: await fileBody(file) }),
        { retrySafe: true },
      )
      const answer = utf8Decode(response.body)
      if (response.status !== 200 || !answer.includes('"receipt"'))
        throw new Error(`asset upload answered ${response.status}: ${answer.slice(0, 200)}`)
    },
    async close() {
      await client.close()
      await transport.close()
    },
  }
}
