import { bytesBody, createRequest, Transport, utf8Decode } from '@sigwire/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deepJson, hostileName, pathSegment, prototypeClean } from '../../emulator-kit/test/hostile.js'
import { WIDGET_KEY } from '../src/constants.js'
import { type ICloudEmulator, startICloudEmulator } from '../src/emulator/index.js'

let emulator: ICloudEmulator
const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })
beforeAll(async () => {
  emulator = await startICloudEmulator({
    accounts: [{ appleId: 'jane@example.com', password: 'pw', twoFactor: false }],
  })
})
afterAll(async () => {
  await emulator.close()
  await transport.close()
})

async function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await transport.send(
    createRequest({
      method,
      url: emulator.url + path,
      headers: { 'x-apple-widget-key': WIDGET_KEY, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: bytesBody(Buffer.from(body)) }),
    }),
  )
  return { status: res.status, text: utf8Decode(res.body) }
}

async function stillWorks() {
  const init = await send(
    'POST',
    '/appleauth/auth/signin/init',
    {},
    JSON.stringify({ a: 'AAAA', accountName: 'jane@example.com' }),
  )
  expect(init.status).toBe(200)
  expect(JSON.parse(init.text).protocol).toBe('s2k')
}

describe('iCloud emulator under hostile input', () => {
  it('answers every host and route with hostile names, tokens and cookies without a 500 or a later effect', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileName(), fc.boolean(), async (name, raw) => {
        const segment = pathSegment(name, raw)
        const token = encodeURIComponent(name)
        const json = (value: Record<string, unknown>) => JSON.stringify(value)
        const answers = [
          await send(
            'POST',
            '/appleauth/auth/signin/init',
            {},
            json({ a: name, accountName: name, protocols: [name] }),
          ),
          await send(
            'POST',
            '/appleauth/auth/signin/complete',
            { scnt: token, 'x-apple-id-session-id': token },
            json({ accountName: name, m1: name, c: name }),
          ),
          await send('GET', `/appleauth/auth/${segment}`, { scnt: token, 'x-apple-id-session-id': token }),
          await send(
            'POST',
            '/setup/ws/1/accountLogin',
            {},
            json({ dsWebAuthToken: name, trustToken: name }),
          ),
          await send(
            'POST',
            `/setup/ws/1/${segment}`,
            { cookie: `X-APPLE-WEBAUTH-TOKEN="v=2:t=${token}~~"` },
            '{}',
          ),
          await send('GET', `/ws/${segment}/x`, { cookie: `X-APPLE-WEBAUTH-TOKEN="v=2:t=${token}~~"` }),
          await send('GET', `/ws/contacts/${segment}`, { cookie: `X-APPLE-WEBAUTH-TOKEN=${token}` }),
          await send('GET', `/webcourier/aps?tok=${token}`),
        ]
        for (const answer of answers) expect(answer.status, `${name}: ${answer.text}`).not.toBe(500)
      }),
      { numRuns: 25 },
    )
    expect(prototypeClean()).toBe(true)
    await stillWorks()
  })

  it('answers deep JSON as an unreadable body, not a 500, and refuses a missing widget key before the body', async () => {
    const deep = await send('POST', '/appleauth/auth/signin/init', {}, deepJson(100_000))
    expect(deep.status).toBe(400)
    const big = await transport
      .send(
        createRequest({
          method: 'POST',
          url: `${emulator.url}/appleauth/auth/signin/init`,
          body: bytesBody(Buffer.alloc(8 * 1024 * 1024)),
        }),
      )
      .catch(() => undefined)
    if (big) expect(big.status).toBe(400)
    expect(emulator.log.entries().at(-1)).toMatchObject({ verdict: 'refused', code: '-20600', bodyBytes: 0 })
    await stillWorks()
  })
})
