import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { type ICloudError, isICloudError, type TwoFactorChallenge } from '@sigwire/icloud'
import { Agent, type Dispatcher, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { connectionPath, decodeServerMessage, pushNonce } from '../src/auth/bridge/push-messages.js'
import { openPushSocket } from '../src/auth/bridge/push-socket.js'
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
      for (const step of ['0', '2', '4', '6']) expect(paths).toContain(`/appleauth/auth/bridge/step/${step}`)
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

/** An emulator whose device waits `delayMs` before each push, or whose sessions expire fast. */
async function withEmulator(
  settings: { bridgeDeviceDelayMs?: number; bridgeLifetimeMs?: number },
  body: (e: ICloudEmulator) => Promise<void>,
) {
  const e = await startICloudEmulator({
    ...settings,
    accounts: [{ appleId: BRIDGE, password: PASSWORD, twoFactor: 'bridge', iterations: 1000 }],
  })
  try {
    await body(e)
  } finally {
    await e.close()
  }
}

describe('bridge failures', () => {
  it('times out with TIMEOUT when the device does not answer in time', async () => {
    await withEmulator({ bridgeDeviceDelayMs: 3000 }, async (e) => {
      const client = clientFor(e, {
        appleId: BRIDGE,
        password: PASSWORD,
        bridge: { timeoutMs: 200 },
        twoFactor: async () => '123456',
      })
      try {
        const error = (await client.login().catch((x: unknown) => x)) as ICloudError
        expect(isICloudError(error, 'TIMEOUT')).toBe(true)
        expect(error.details?.bridgeSteps).toEqual(
          expect.arrayContaining(['push websocket open', 'bridge/step/0: 200']),
        )
      } finally {
        await client.close()
      }
    })
  })

  it('is cancelled with ABORTED by the call signal while waiting for the device', async () => {
    await withEmulator({ bridgeDeviceDelayMs: 3000 }, async (e) => {
      const client = clientFor(e, { appleId: BRIDGE, password: PASSWORD, twoFactor: async () => '123456' })
      try {
        const controller = new AbortController()
        const pending = client.login({ signal: controller.signal }).catch((x: unknown) => x)
        setTimeout(() => controller.abort(), 300)
        const started = Date.now()
        const error = (await pending) as ICloudError
        expect(isICloudError(error, 'ABORTED')).toBe(true)
        expect(Date.now() - started).toBeLessThan(2500)
      } finally {
        await client.close()
      }
    })
  })

  it('refuses a step after the bridge session expired (BRIDGE_FAILED, 400)', async () => {
    await withEmulator({ bridgeLifetimeMs: 300 }, async (e) => {
      const client = clientFor(e, {
        appleId: BRIDGE,
        password: PASSWORD,
        twoFactor: async (challenge) => {
          const code = e.bridgeCode(challenge.appleId)!
          await new Promise((r) => setTimeout(r, 500))
          return code
        },
      })
      try {
        const error = (await client.login().catch((x: unknown) => x)) as ICloudError
        expect(isICloudError(error, 'BRIDGE_FAILED')).toBe(true)
        expect(error.status).toBe(400)
        expect(error.message).toMatch(/bridge\/step\/2/)
      } finally {
        await client.close()
      }
    })
  })

  it('falls back to SMS when the handler asks for it', async () => {
    const client = clientFor(emulator, {
      appleId: BRIDGE,
      password: PASSWORD,
      twoFactor: async (challenge) => {
        const sms = challenge.options.find((o) => o.kind === 'sms')!
        await challenge.requestCode(sms)
        return { code: emulator.accounts.lastCode(challenge.appleId, 'phone')!, option: sms }
      },
    })
    try {
      expect(await client.login()).toMatchObject({ secondFactor: 'hsa2' })
      expect(emulator.requests.map((r) => r.path)).toContain('/appleauth/auth/verify/phone/securitycode')
    } finally {
      await client.close()
    }
  })

  it('skips the bridge with twoFactorMethod sms', async () => {
    const before = emulator.requests.length
    const client = clientFor(emulator, {
      appleId: BRIDGE,
      password: PASSWORD,
      twoFactorMethod: 'sms',
      twoFactor: async (challenge) => {
        expect(challenge.method).toBe('code')
        return emulator.accounts.lastCode(challenge.appleId, 'phone')!
      },
    })
    try {
      await client.login()
      const paths = emulator.requests.slice(before).map((r) => r.path)
      expect(paths.some((p) => p.includes('/bridge/'))).toBe(false)
    } finally {
      await client.close()
    }
  })

  it('refuses replayed steps and a replayed validation code', async () => {
    const recorded: Array<{ path: string; method: string; headers: Record<string, string>; body: string }> =
      []
    const agent = new Agent().compose(
      (dispatch: Dispatcher['dispatch']) =>
        (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
          if (opts.path.includes('/bridge/'))
            recorded.push({
              path: opts.path,
              method: opts.method,
              headers: { ...(opts.headers as Record<string, string>) },
              body: Buffer.from(opts.body as Uint8Array).toString(),
            })
          return dispatch(opts, handler)
        },
    )
    const client = clientFor(emulator, {
      appleId: BRIDGE,
      password: PASSWORD,
      twoFactor: readDevice(),
      transport: { dispatcher: agent, retry: { maxAttempts: 1 } },
    })
    try {
      await client.login()
      expect(recorded.map((r) => r.path.replace(/^.*\/bridge/, '/bridge'))).toEqual([
        '/bridge/step/0',
        '/bridge/step/2',
        '/bridge/step/4',
        '/bridge/code/validate',
        '/bridge/step/6',
      ])
      for (const replay of recorded) {
        const answer = await request(`${emulator.url}${replay.path}`, {
          method: 'POST',
          headers: replay.headers,
          body: replay.body,
        })
        const text = await answer.body.text()
        expect(answer.statusCode, `${replay.path}: ${text}`).toBeGreaterThanOrEqual(400)
        expect([200, 204, 409]).not.toContain(answer.statusCode)
      }
    } finally {
      await client.close()
      await agent.close()
    }
  })
})

describe('the emulated push service', () => {
  const socketUrl = () => emulator.url.replace(/^http/, 'ws')
  function connectPath(timeMs: number, nonce = pushNonce(timeMs, randomBytes(8)), signed = nonce) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const point = publicKey.export({ format: 'der', type: 'spki' }).subarray(-65)
    return connectionPath(point, nonce, sign('sha256', signed, privateKey))
  }
  async function firstAnswer(path: string) {
    const ws = new WebSocket(`${socketUrl()}${path}`)
    try {
      const data = await new Promise<Buffer>((resolve, reject) => {
        ws.once('message', (d: Buffer) => resolve(d))
        ws.once('error', reject)
      })
      return decodeServerMessage(data).connection
    } finally {
      ws.terminate()
    }
  }

  it('answers a nonce off the clock with INVALID_NONCE and its time; the client retries with it', async () => {
    const answer = await firstAnswer(connectPath(Date.now() - 3_600_000))
    expect(answer).toMatchObject({ status: 2, token: undefined })
    expect(Math.abs(answer!.serverTimeSeconds! * 1000 - Date.now())).toBeLessThan(5000)
    const notes: string[] = []
    const socket = await openPushSocket(
      {
        baseUrl: socketUrl(),
        origin: emulator.url,
        userAgent: 'test',
        tls: undefined,
        timeoutMs: 2000,
        signal: undefined,
        note: (s) => notes.push(s),
        now: () => Date.now() - 3_600_000,
      },
      'com.apple.idmsauthwidget',
    )
    socket.close()
    expect(notes).toContain('nonce refused; retrying with the server time')
    expect(socket.token).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses a replayed nonce and a bad signature', async () => {
    const nonce = pushNonce(Date.now(), randomBytes(8))
    const path = connectPath(0, nonce)
    expect(await firstAnswer(path)).toMatchObject({ status: 0 })
    expect(await firstAnswer(path)).toMatchObject({ status: 2 })
    const other = pushNonce(Date.now(), randomBytes(8))
    const forged = connectPath(0, pushNonce(Date.now(), randomBytes(8)), other)
    expect(await firstAnswer(forged)).toMatchObject({ status: 1, token: undefined })
  })
})

describe('bridge over TLS', () => {
  it('opens the push websocket with the transport CA when the emulator has TLS', async () => {
    const e = await startICloudEmulator({
      tls: true,
      accounts: [{ appleId: BRIDGE, password: PASSWORD, twoFactor: 'bridge', iterations: 1000 }],
    })
    const client = clientFor(e, {
      appleId: BRIDGE,
      password: PASSWORD,
      allowInsecureLoopback: false,
      transport: { proxy: false, retry: { maxAttempts: 1 }, tls: { ca: e.certificate! } },
      twoFactor: async (challenge) => e.bridgeCode(challenge.appleId)!,
    })
    try {
      expect(await client.login()).toMatchObject({ secondFactor: 'hsa2' })
      const answer = await request(`${e.url}/_emulator/icloud/bridge-code?appleId=${BRIDGE}`, {
        dispatcher: new Agent({ connect: { ca: e.certificate! } }),
      })
      expect(await answer.body.json()).toMatchObject({ appleId: BRIDGE, stage: 'done' })
    } finally {
      await client.close()
      await e.close()
    }
  })
})
