import { createHash } from 'node:crypto'
import { bytesBody, createRequest, Transport, utf8Decode } from '@sigwire/core'
import { createSafeCreativeClient } from '@sigwire/safe-creative'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hostileName, prototypeClean } from '../../emulator-kit/test/hostile.js'
import { type SafeCreativeEmulator, startSafeCreativeEmulator } from '../src/emulator/index.js'

const APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }
let emulator: SafeCreativeEmulator
const transport = new Transport({ proxy: false, retry: { maxAttempts: 1 } })
beforeAll(async () => {
  emulator = await startSafeCreativeEmulator({ apps: [APP], autoApprove: 'MANAGE' })
})
afterAll(async () => {
  await emulator.close()
  await transport.close()
})

/** Signs `pairs` with `key` as Safe Creative does (SHA-1 of key&sorted pairs) and sends them. */
async function call(
  pairs: Array<[string, string]>,
  key: string,
  init: { method?: string; path?: string } = {},
) {
  const all: Array<[string, string]> = [...pairs, ['ztime', String(Date.now())]]
  const sorted = [...all].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const signature = createHash('sha1')
    .update(`${key}&${sorted.map(([n, v]) => `${n}=${v}`).join('&')}`)
    .digest('hex')
  const form = new URLSearchParams([...all, ['signature', signature]]).toString()
  const post = (init.method ?? 'POST') === 'POST'
  const res = await transport.send(
    createRequest({
      method: post ? 'POST' : 'GET',
      url: `${emulator.url}${init.path ?? '/v2/'}${post ? '' : `?${form}`}`,
      ...(post
        ? {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: bytesBody(Buffer.from(form)),
          }
        : {}),
    }),
  )
  return { status: res.status, text: utf8Decode(res.body) }
}

async function stillWorks() {
  const sc = createSafeCreativeClient({ ...APP, baseUrl: emulator.apiUrl, transport: { proxy: false } })
  try {
    await sc.syncClock()
    const auth = await sc.createAuthkey()
    expect((await sc.authkeyState(auth.authkey)).authorized).toBe(true)
    const code = await sc.user(auth).registerText('still works', { title: 'Still works' })
    expect((await sc.user(auth).getPrivateWork(code)).title).toBe('Still works')
  } finally {
    await sc.close()
  }
}

describe('Safe Creative emulator under hostile input', () => {
  it('answers every component and page with hostile names and keys without a 500 or a later effect', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileName(), fc.constantFrom('GET', 'POST'), async (name, method) => {
        const answers = [
          await call([['component', name]], APP.privateKey, { method }),
          await call(
            [
              ['component', 'authkey.state'],
              ['sharedkey', APP.sharedKey],
              ['authkey', name],
            ],
            APP.privateKey,
            { method },
          ),
          await call(
            [
              ['component', 'authkey.create'],
              ['sharedkey', name],
            ],
            APP.privateKey,
            { method },
          ),
          await call(
            [
              ['component', 'work.get'],
              ['code', name],
            ],
            APP.privateKey,
            { method },
          ),
          await call(
            [
              ['component', 'work.list'],
              ['authkey', name],
              [name, name],
            ],
            name,
            { method },
          ),
          await call(
            [
              ['component', 'work.upload.chunk'],
              ['authkey', name],
              ['uploadid', name],
            ],
            name,
            { method },
          ),
          await call(
            [
              ['authkey', name],
              ['sharedkey', APP.sharedKey],
              ['level', 'GET'],
            ],
            name,
            { method, path: '/api-ui/authkey.edit' },
          ),
          await call([['uploadid', name]], name, { path: '/upload' }),
        ]
        for (const answer of answers) expect(answer.status, `${name}: ${answer.text}`).not.toBe(500)
        for (const answer of answers) expect(answer.text).not.toContain('<exception>')
      }),
      { numRuns: 25 },
    )
    expect(prototypeClean()).toBe(true)
    await stillWorks()
  })

  it('answers bad percent-encoding with InvalidParameter, and signature.analysis only when asked for at start', async () => {
    const res = await transport.send(
      createRequest({ method: 'GET', url: `${emulator.apiUrl}?component=ztime&x=%E0%A4%A` }),
    )
    expect(utf8Decode(res.body)).toContain('<errorId>InvalidParameter</errorId>')
    // Off by default: a caller knowing only the shared key learns no signature from the emulator.
    const probe = await call(
      [
        ['component', 'authkey.create'],
        ['sharedkey', APP.sharedKey],
        ['debug-component', 'signature.analysis'],
      ],
      'not-the-private-key',
    )
    expect(probe.text).toContain('<errorId>InvalidSignature</errorId>')
    expect(probe.text).not.toContain('signatureWanted')
    expect(emulator.notices).toEqual([])
    const refused = emulator.log.entries().at(-1)!
    expect(refused).toMatchObject({ verdict: 'refused', code: 'InvalidSignature' })
    expect(refused.findings?.length, 'the doctor ran on the refused call').toBeGreaterThan(0)
    await stillWorks()
  })
})
