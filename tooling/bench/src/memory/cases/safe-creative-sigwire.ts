import { createSafeCreativeClient } from '@sigwire/safe-creative'
import type { CaseInput } from '../cases.js'

/** Safe Creative's chunked upload: work.upload.begin, one signed work.upload.chunk per 50 KiB, commit. */
export async function prepare({ servers, file }: CaseInput) {
  const dev = servers.safeCreative!.dev!
  const client = createSafeCreativeClient({
    baseUrl: servers.safeCreative!.url,
    sharedKey: dev.sharedKey!,
    privateKey: dev.privateKey!,
    transport: { proxy: false },
  })
  const user = client.user(await client.createAuthkey())
  return {
    async send() {
      const ticket = await user.upload(file, { mode: 'chunked', timeoutMs: 60_000 })
      if (!ticket) throw new Error('no upload ticket')
    },
    close: () => client.close(),
  }
}
