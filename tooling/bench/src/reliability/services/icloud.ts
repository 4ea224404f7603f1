import { startICloudEmulator } from '@sigwire/emulator'
import { createICloudClient, ICLOUD_ERROR_CODES, isICloudError, type PushToken } from '@sigwire/icloud'
import type { ServiceUnderFaults } from '../fault-run.js'

const PASSWORD = 'reliability password'

/** A 40-hex push topic made from a write number (the shape of iCloud's topics). */
function topicOf(n: number): string {
  return `7e1ab1e0${n.toString(16).padStart(32, '0')}`
}

/**
 * iCloud: one `push.registerTopics` per write (a POST to the push service with the session's
 * cookies), adding one new topic to the worker's push token; read back by registering no topic,
 * which answers every topic the token holds.
 */
export async function iCloudUnderFaults(workers: number): Promise<ServiceUnderFaults> {
  const emulator = await startICloudEmulator({
    accounts: [{ appleId: 'reliability@example.com', password: PASSWORD, twoFactor: false }],
  })
  const client = createICloudClient({
    appleId: 'reliability@example.com',
    password: PASSWORD,
    endpoints: { authUrl: emulator.authUrl, setupUrl: emulator.setupUrl, homeUrl: 'https://www.icloud.com' },
    allowHosts: ['127.0.0.1'],
    allowInsecureLoopback: true,
    transport: { proxy: false },
  })
  await client.login()
  const tokens: PushToken[] = []
  for (let i = 0; i < workers; i++) tokens.push(await client.push.getToken([]))
  return {
    name: 'iCloud',
    write: 'push.registerTopics',
    faults: emulator.faults,
    pathPrefix: '/ws/push/',
    keyOf: topicOf,
    async perform(n, worker) {
      await client.push.registerTopics(tokens[worker % tokens.length]!, [topicOf(n)])
    },
    async readBack() {
      const held = new Map<string, number>()
      for (const token of tokens)
        for (const topic of await client.push.registerTopics(token, []))
          held.set(topic, (held.get(topic) ?? 0) + 1)
      return held
    },
    typed: (error) => isICloudError(error) && ICLOUD_ERROR_CODES.includes(error.code),
    codeOf: (error) => (isICloudError(error) ? error.code : undefined),
    outcomeHint: /Read the data again/,
    async close() {
      await client.close()
      await emulator.close()
    },
  }
}
