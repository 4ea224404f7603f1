import { createSafeCreativeClient } from '@sigwire/safe-creative'
import type { ServerInfo } from '../servers.js'
import { bareAgent, bareText, type Pair } from './roundtrip-pair.js'

/** Safe Creative `work.list` (signed) vs bare undici with the same parameters. */
export async function safeCreativePair(server: ServerInfo): Promise<Pair> {
  const { url } = server
  const dev = server.dev!
  const client = createSafeCreativeClient({
    baseUrl: url,
    sharedKey: dev.sharedKey!,
    privateKey: dev.privateKey!,
    transport: { proxy: false },
  })
  const auth = await client.createAuthkey()
  const user = client.user(auth)
  await user.listWorksPage(1)
  const agent = bareAgent()
  // The emulator runs with verification off: bare undici sends the same parameters with a fresh ztime
  // and a signature-shaped value, so the server does the same work for both.
  const signature = 'a'.repeat(40)
  return {
    service: 'Safe Creative',
    operation: 'GET work.list',
    target: 0.85,
    profile:
      'signing and percent-encoding the parameters, and the transport; plain XML answers are read in one strict pass (fast-xml-parser validated and parsed each answer in about 40 µs, the largest cost of a call before)',
    sigwire: () => user.listWorksPage(1),
    bare: () =>
      bareText(
        agent,
        `${url}?authkey=${auth.authkey}&component=work.list&page=1&ztime=${Date.now()}&signature=${signature}`,
        'GET',
      ),
    async close() {
      await client.close()
      await agent.close()
    },
  }
}
