import { createCloudKitClient, createCloudKitSigner } from '@sigwire/cloudkit'
import { bytesBody, createRequest, systemClock, Transport } from '@sigwire/core'
import type { ServerInfo } from '../servers.js'
import { LocalDispatcher } from './local-dispatcher.js'
import { bareAgent, bareText, type Pair } from './roundtrip-pair.js'

/** CloudKit `records/query` (signed) vs the same bytes from bare undici. */
export async function cloudKitPair(server: ServerInfo): Promise<Pair> {
  const { url } = server
  const dev = server.dev!
  const credentials = {
    container: dev.container!,
    environment: 'development' as const,
    serverToServer: { keyId: dev.keyId!, privateKey: dev.privateKeyPem! },
  }
  const transport = new Transport({ proxy: false })
  const client = createCloudKitClient({ ...credentials, baseUrl: url, transport })
  const query = { recordType: 'Note' }
  // Learn the exact path and body the client sends, so bare undici sends the same bytes.
  const capture = new LocalDispatcher({ records: [] })
  await createCloudKitClient({
    ...credentials,
    transport: new Transport({ dispatcher: capture }),
  }).publicDatabase.records.query(query)
  const sent = capture.last!
  const signer = createCloudKitSigner(credentials.serverToServer)
  const signed = createRequest({ method: 'POST', url: url + sent.path, body: bytesBody(sent.body!) })
  const agent = bareAgent()
  return {
    service: 'CloudKit',
    operation: 'POST records/query',
    target: 0.75,
    profile:
      'the ECDSA P-256 signature, the transport (undici dispatch, no response stream) and JSON decoding',
    sign: () => signer.sign(signed, systemClock),
    sigwire: () => client.publicDatabase.records.query(query),
    bare: () => bareText(agent, url + sent.path, 'POST', sent.body, { 'content-type': 'text/plain' }),
    async close() {
      await client.close()
      await transport.close()
      await agent.close()
    },
  }
}
