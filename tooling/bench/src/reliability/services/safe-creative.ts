import { startSafeCreativeEmulator } from '@sigwire/emulator'
import {
  createSafeCreativeClient,
  isSafeCreativeError,
  SAFE_CREATIVE_ERROR_CODES,
  type UserApi,
} from '@sigwire/safe-creative'
import type { ServiceUnderFaults } from '../fault-run.js'

/**
 * Safe Creative: one `work.register` (text) per write, titled with its key, each worker with its own
 * authorized authkey of one user (a nonce step runs one at a time per authkey); read back with
 * `work.list`, what the OUTCOME_UNKNOWN message recommends.
 */
export async function safeCreativeUnderFaults(workers: number): Promise<ServiceUnderFaults> {
  const authkeys = Array.from({ length: workers }, (_, i) => ({
    authkey: `reliabilityauthkey${String(i).padStart(7, '0')}`,
    privateKey: `reliabilityprivate${String(i).padStart(7, '0')}`,
  }))
  const emulator = await startSafeCreativeEmulator({ authkeys, pageSize: 1000 })
  const client = createSafeCreativeClient({
    ...emulator.dev!,
    baseUrl: emulator.apiUrl,
    transport: { proxy: false },
  })
  await client.syncClock()
  const users: UserApi[] = authkeys.map((auth) => client.user(auth))
  const keyOf = (n: number) => `Reliability ${n}`
  return {
    name: 'Safe Creative',
    write: 'work.register (text)',
    faults: emulator.faults,
    pathPrefix: '/v2/',
    keyOf,
    async perform(n, worker) {
      await users[worker % users.length]!.registerText(`text of work ${n}`, { title: keyOf(n) })
    },
    async readBack() {
      // Every authkey acts for the same Safe Creative user, whose works work.list lists.
      const held = new Map<string, number>()
      for await (const work of users[0]!.listWorks()) {
        const title = work.title ?? ''
        held.set(title, (held.get(title) ?? 0) + 1)
      }
      return held
    },
    typed: (error) => isSafeCreativeError(error) && SAFE_CREATIVE_ERROR_CODES.includes(error.code),
    codeOf: (error) => (isSafeCreativeError(error) ? error.code : undefined),
    outcomeHint: /user\.listWorks/,
    async close() {
      await client.close()
      await emulator.close()
    },
  }
}
