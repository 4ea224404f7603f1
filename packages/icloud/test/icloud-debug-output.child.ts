// Runs only in the child process started by icloud-debug.test.ts, with NODE_DEBUG=sigwire, so the
// transport's debug lines are really written; they are captured here and checked for secrets.
import { createMemorySessionStore, PUSH_TOPICS } from '@sigwire/icloud'
import { expect, it } from 'vitest'
import { startICloudEmulator } from '../src/emulator/index.js'
import { clientFor, readCodeFrom } from './icloud-helpers.js'

const lines: string[] = []
const write = process.stderr.write.bind(process.stderr)
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
  if (text.startsWith('SIGWIRE ')) {
    lines.push(text)
    return true
  }
  return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest)
}) as typeof process.stderr.write

it('writes debug lines without any password, token or cookie value', async () => {
  const password = 'debug-output-password'
  const emulator = await startICloudEmulator({
    accounts: [{ appleId: 'debug@example.com', password, twoFactor: true }],
    longPollHoldMs: 30,
  })
  const store = createMemorySessionStore()
  const client = clientFor(emulator, {
    appleId: 'debug@example.com',
    password,
    store,
    twoFactor: readCodeFrom(emulator),
  })
  try {
    await client.login()
    await client.storage.usage()
    const token = await client.push.getToken([PUSH_TOPICS.contacts])
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 80)
    for await (const _ of client.push.notifications(token, { signal: controller.signal })) {
      // none expected
    }
    emulator.faults.inject('unavailable', { pathPrefix: '/setup/ws/1/storageUsageInfo' })
    await client.storage.usage().catch(() => {})
  } finally {
    await client.close()
    await emulator.close()
  }
  const state = (await store.load())!
  const secrets = [
    password,
    state.sessionToken!,
    state.trustToken!,
    state.scnt!,
    state.push!.token,
    ...(state.cookies?.cookies ?? []).map((c) => String(c.value)).filter((v) => v.length >= 8),
  ]
  const text = lines.join('')
  expect(text).toContain('/appleauth/auth/signin/complete')
  expect(text).toContain('/webcourier/aps?tok=[redacted]')
  for (const secret of secrets) expect(text).not.toContain(secret)
})

it('writes the bridge steps without the device code, the password or the session token', async () => {
  const password = 'debug-bridge-password'
  const emulator = await startICloudEmulator({
    accounts: [{ appleId: 'bridge.debug@example.com', password, twoFactor: 'bridge' }],
  })
  const store = createMemorySessionStore()
  let code = ''
  const client = clientFor(emulator, {
    appleId: 'bridge.debug@example.com',
    password,
    store,
    twoFactor: async (challenge) => {
      code = emulator.bridgeCode(challenge.appleId)!
      return code
    },
  })
  const from = lines.length
  try {
    await client.login()
  } finally {
    await client.close()
    await emulator.close()
  }
  const state = (await store.load())!
  const text = lines.slice(from).join('')
  expect(text).toContain('icloud bridge: push token received')
  expect(text).toContain('/appleauth/auth/bridge/code/validate')
  for (const secret of [password, state.sessionToken!, state.trustToken!]) expect(text).not.toContain(secret)
  // Six digits may occur inside hex ids by chance; the code must not appear on its own.
  expect(text).not.toMatch(new RegExp(`(?<![0-9a-f])${code}(?![0-9a-f])`))
})
