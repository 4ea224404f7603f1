import { type ICloudError, isICloudError, type TwoFactorChallenge } from '@sigwire/icloud'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'
import { clientFor } from './icloud-helpers.js'

const PASSWORD = 'correct horse battery staple'
const BRIDGE = 'bridge@example.com'
let emulator: ICloudEmulator

beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: BRIDGE, password: PASSWORD, twoFactor: 'bridge', iterations: 1000 }],
  })
})

afterAll(async () => {
  await emulator.close()
  expect(emulator.tripwire).toEqual([])
})

/** Reads the code the emulated device shows, the way a user reads the device's screen. */
function readDevice(seen: TwoFactorChallenge[] = []) {
  return async (challenge: TwoFactorChallenge) => {
    seen.push(challenge)
    const code = emulator.bridgeCode(challenge.appleId)
    if (!code) throw new Error('the device shows no code')
    return code
  }
}

describe('trusted-device bridge sign-in', () => {
  it('signs in through the bridge over loopback, then trusts and logs in to setup', async () => {
    const seen: TwoFactorChallenge[] = []
    const client = clientFor(emulator, { appleId: BRIDGE, password: PASSWORD, twoFactor: readDevice(seen) })
    try {
      const result = await client.login()
      expect(result).toMatchObject({ method: 'signin', secondFactor: 'hsa2' })
      expect(seen).toHaveLength(1)
      expect(seen[0]).toMatchObject({ type: 'hsa2', method: 'bridge', requested: { kind: 'bridge' } })
      expect(seen[0]!.options.map((o) => o.kind)).toEqual(['bridge', 'device', 'sms', 'voice'])
      const paths = emulator.requests.map((r) => r.path)
      for (const step of ['0', '2', '4', '6'])
        expect(paths).toContain(`/appleauth/auth/bridge/step/${step}`)
      expect(paths).toContain('/appleauth/auth/bridge/code/validate')
      expect(paths).toContain('/appleauth/auth/2sv/trust')
      expect((await client.storage.usage()).totalBytes).toBeGreaterThan(0)
    } finally {
      await client.close()
    }
  })

  it('refuses a code other than the one on the device with WRONG_CODE, and no secret in the error', async () => {
    let shown: string | undefined
    const client = clientFor(emulator, {
      appleId: BRIDGE,
      password: PASSWORD,
      twoFactor: async (challenge) => {
        shown = emulator.bridgeCode(challenge.appleId)
        return shown === '000000' ? '000001' : '000000'
      },
    })
    try {
      const error = (await client.login().catch((e: unknown) => e)) as ICloudError
      expect(isICloudError(error, 'WRONG_CODE')).toBe(true)
      expect(error.details?.bridgeSteps).toContain('device confirmation does not match the code')
      const text = JSON.stringify({ ...error, message: error.message, stack: error.stack })
      expect(text).not.toContain(PASSWORD)
      expect(shown && text.includes(shown)).toBe(false)
    } finally {
      await client.close()
    }
  })
})
