import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ICloudEmulator, startICloudEmulator } from '@sigwire/emulator'
import { iCloudUiService } from '@sigwire/emulator-ui'
import {
  createFileSessionStore,
  createICloudClient,
  createMemorySessionStore,
  type ICloudClient,
  PUSH_TOPICS,
  type SessionStore,
  sessionFileName,
} from '@sigwire/icloud'
import type { Keeper } from '../keep.js'
import type { Step } from '../report.js'

const APPLE_ID = 'jane.appleseed@example.com'
const PASSWORD = 'correct horse battery staple'
const BRIDGE_ID = 'john.appleseed@example.com'

/** iCloud.com: SRP sign-in with a two-factor code, a saved session resumed without signing in, the account-page services. */
export function icloudSteps(keeper: Keeper): Step[] {
  let emulator: ICloudEmulator | undefined
  let dir = ''
  let store: SessionStore | undefined
  let client: ICloudClient | undefined
  const connect = (password?: string) =>
    createICloudClient({
      appleId: APPLE_ID,
      ...(password ? { password } : {}),
      store: store!,
      endpoints: { authUrl: emulator!.authUrl, setupUrl: emulator!.setupUrl },
      allowHosts: ['127.0.0.1'],
      allowInsecureLoopback: true,
      transport: { proxy: false },
      timeZone: 'Europe/Paris',
      // The code a user would read on their iPhone; here the emulator shows it.
      twoFactor: async (challenge) => emulator!.accounts.lastCode(challenge.appleId)!,
    })
  return [
    {
      service: 'icloud',
      name: 'start the iCloud emulator',
      async run() {
        dir = await mkdtemp(join(tmpdir(), 'sigwire-demo-icloud-'))
        store = createFileSessionStore(join(dir, 'sessions', sessionFileName(APPLE_ID)))
        emulator = await startICloudEmulator({
          accounts: [
            { appleId: APPLE_ID, password: PASSWORD, twoFactor: true, iterations: 20064 },
            { appleId: BRIDGE_ID, password: PASSWORD, twoFactor: 'bridge', iterations: 20064 },
          ],
        })
        return emulator.url
      },
    },
    {
      service: 'icloud',
      name: 'sign in with SRP and a two-factor code',
      async run() {
        client = connect(PASSWORD)
        const result = await client.login()
        if (result.method !== 'signin' || result.secondFactor !== 'hsa2')
          throw new Error(`unexpected ${result.method}`)
        const variant = emulator!.accounts.proofVariants(APPLE_ID).at(-1)
        return `signed in as dsid ${result.account.dsid}, code via trusted device, M1 ${variant}, session saved`
      },
    },
    {
      service: 'icloud',
      name: 'sign in another account through the trusted-device bridge',
      async run() {
        const bridged = createICloudClient({
          appleId: BRIDGE_ID,
          password: PASSWORD,
          store: createMemorySessionStore(),
          endpoints: { authUrl: emulator!.authUrl, setupUrl: emulator!.setupUrl },
          allowHosts: ['127.0.0.1'],
          allowInsecureLoopback: true,
          transport: { proxy: false },
          // iOS 26.4 and later: the device asks to allow the sign-in and shows a code (here the emulator's).
          twoFactor: async (challenge) => {
            if (challenge.method !== 'bridge') throw new Error('the bridge was not offered')
            return emulator!.bridgeCode(challenge.appleId)!
          },
        })
        try {
          const result = await bridged.login()
          const steps = emulator!.requests.filter((r) => r.path.includes('/bridge/')).length
          return `signed in as dsid ${result.account.dsid} via the push websocket and SPAKE2 (${steps} bridge calls)`
        } finally {
          await bridged.close()
        }
      },
    },
    {
      service: 'icloud',
      name: 'resume the saved session without signing in',
      async run() {
        await client!.close()
        const before = emulator!.requests.filter((r) => r.path.endsWith('/signin/init')).length
        client = connect()
        const result = await client.login()
        const after = emulator!.requests.filter((r) => r.path.endsWith('/signin/init')).length
        if (result.method !== 'validate' || after !== before)
          throw new Error('the saved session was not reused')
        return `resumed by ${result.method}, no password, no SRP`
      },
    },
    {
      service: 'icloud',
      name: 'read storage, the me card and alarm triggers',
      async run() {
        const storage = await client!.storage.usage()
        const me = await client!.contacts.meCard()
        const from = new Date()
        const alarms = await client!.calendar.alarmTriggers({
          from,
          to: new Date(from.getTime() + 7 * 86_400_000),
        })
        const gb = (n: number) => `${(n / 2 ** 30).toFixed(1)} GB`
        const first = alarms[0]
        return `${gb(storage.usedBytes)} of ${gb(storage.totalBytes)}; me: ${me.contact?.firstName} ${me.contact?.lastName}; ${alarms.length} alarm${first ? ` at ${first.trigger.date.toISOString()}` : ''}`
      },
    },
    {
      service: 'icloud',
      name: 'get a push token and run one heartbeat',
      async run() {
        const token = await client!.push.getToken([PUSH_TOPICS.contacts, PUSH_TOPICS.calendar])
        await client!.heartbeat.refresh()
        return `push token ${token.token.slice(0, 8)}…, ${token.registeredTopics.length} topics; refreshWebAuth ok`
      },
    },
    {
      service: 'icloud',
      name: 'stop the emulator',
      async run() {
        await client?.close()
        if (emulator && emulator.tripwire.length > 0)
          throw new Error('the client called the telemetry endpoint')
        await keeper.release(emulator && iCloudUiService(emulator), async () => {
          await emulator?.close()
          await rm(dir, { recursive: true, force: true })
        })
        return `${keeper.keep ? 'kept up for the web UI' : 'closed'}; telemetry tripwire untouched`
      },
    },
  ]
}
