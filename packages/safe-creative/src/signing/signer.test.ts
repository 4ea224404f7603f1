import {
  applySignature,
  createRequest,
  fixedClock,
  formatQueryPairs,
  parseQueryPairs,
  type ReceivedRequest,
  readBody,
  textBody,
} from '@sigwire/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { signedVectors } from './__fixtures__/vectors.js'
import { createSafeCreativeSigner } from './signer.js'
import { verifySafeCreativeParams, verifySafeCreativeRequest } from './verify.js'

const APP = { sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9', privateKey: 'k3v8q1m0z7x2c5b9n4w6e8r1t' }
const AUTH = { authkey: '7p2m9x4k1c8v5b3n6q0w2e4r7', privateKey: 'h5j8k2l4m6n9b1v3c5x7z0q2w' }

async function received(request: ReturnType<typeof createRequest>): Promise<ReceivedRequest> {
  return {
    method: request.method,
    target: request.target,
    headers: request.headers,
    body: await readBody(request.body),
  }
}

describe('signer against the vectors', () => {
  it.each(signedVectors.map((v) => [v.id, v] as const))('%s: same signature from the signer', (_id, v) => {
    const signer = createSafeCreativeSigner({
      ...APP,
      privateKey: v.signingKey === 'app' ? v.privateKey! : APP.privateKey,
      authkey: { ...AUTH, privateKey: v.privateKey! },
    })
    const ztime = v.params.find(([n]) => n === 'ztime')![1]
    const params = v.params.filter(([n]) => n !== 'ztime')
    const signed = signer.signParams(params, Number(ztime))
    expect(signed.keyKind).toBe(v.signingKey)
    expect(signed.signature).toBe(v.signature)
    expect(signed.added).toEqual([
      ['ztime', ztime],
      ['signature', v.signature],
    ])
  })

  it.each(signedVectors.map((v) => [v.id, v] as const))(
    '%s: the requestQuery verifies (decoded before signing)',
    (_id, v) => {
      const request: ReceivedRequest = {
        method: 'GET',
        target: `/v2/?${v.requestQuery}`,
        headers: {},
        body: new Uint8Array(),
      }
      const keys = v.signingKey === 'app' ? { app: v.privateKey! } : { authkey: v.privateKey! }
      expect(verifySafeCreativeRequest(request, { privateKeys: keys, skipTimeCheck: true })).toEqual({
        ok: true,
      })
      const wrongKey = v.signingKey === 'app' ? { app: 'other' } : { authkey: 'other' }
      expect(
        verifySafeCreativeRequest(request, { privateKeys: wrongKey, skipTimeCheck: true }),
      ).toMatchObject({
        ok: false,
        reason: 'INVALID_SIGNATURE',
      })
    },
  )
})

describe('signer against the protocol notes table (S1, S2, S4; Python hashlib)', () => {
  // docs/protocols/safe-creative.md §2.6: the doc example strings with dummy keys.
  const NOTES_AUTH = { authkey: '23j22wtpoguzgzk0fag39sey6', privateKey: '1f5lcps1hvpo7y1sw175y5qkp' }
  const signer = createSafeCreativeSigner({
    sharedKey: 'zy9x4ol0ctg3btyswq7b5wi9',
    privateKey: 'appprivatekey123',
    authkey: NOTES_AUTH,
  })

  it('S1 authkey.create (app key)', () => {
    expect(signer.signParams({ component: 'authkey.create' }, 1271749822099).signature).toBe(
      '13a6f706759fbfbb89181a0d690012d8d705ab1f',
    )
  })

  it('S2 work.list (authkey key)', () => {
    expect(signer.signParams({ component: 'work.list', page: '1' }, 1271749847821).signature).toBe(
      'c8f0a7e9c81628f89b5c2634ed4af00bb04d2e2e',
    )
  })

  it('S4 the authkey.edit link (authkey key, sharedkey added, no component)', () => {
    const signed = signer.signParams(
      [
        ['authkey', NOTES_AUTH.authkey],
        ['level', 'MANAGE'],
      ],
      1271749822662,
      {
        component: 'authkey.edit',
      },
    )
    expect(signed.signature).toBe('ba92482b50c9a4b7cfe212b1b12096503ea5c2fa')
    expect(signed.params.map(([n]) => n)).toEqual(['authkey', 'level', 'sharedkey', 'ztime', 'signature'])
  })
})

describe('signer on requests', () => {
  const signer = createSafeCreativeSigner({ ...APP, authkey: AUTH })
  const clock = fixedClock(1773500970000)

  it('signs GET and POST with parameters split between query and form; the body never changes', async () => {
    const form = formatQueryPairs([
      ['title', 'Canción & co = 作品'],
      ['text', 'La la+la'],
    ])
    const request = createRequest({
      method: 'POST',
      url: 'https://api.example/v2/?component=work.register&noncekey=n1',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: textBody(form),
    })
    const output = signer.sign(request, clock)
    const signed = applySignature(request, output)
    expect(new TextDecoder().decode(await readBody(signed.body))).toBe(form)
    const query = parseQueryPairs(signed.target.split('?')[1]!)
    expect(query.map(([n]) => n)).toEqual(['component', 'noncekey', 'authkey', 'ztime', 'signature'])
    const result = verifySafeCreativeRequest(await received(signed), {
      privateKeys: { authkey: AUTH.privateKey },
      now: 1773500970000,
    })
    expect(result).toEqual({ ok: true })
    expect(output.trace[0]).toMatchObject({ secret: true, hex: '00000000000' })
    expect(JSON.stringify(output.trace)).not.toContain(AUTH.privateKey)
  })

  it('picks the key from the component: authkey.state carries an authkey and is app-signed', async () => {
    const request = createRequest({
      method: 'GET',
      url: 'https://api.example/v2/',
      query: { component: 'authkey.state', authkey: AUTH.authkey },
    })
    const signed = applySignature(request, signer.sign(request, clock))
    expect(signed.target).toContain('sharedkey=')
    expect(
      verifySafeCreativeRequest(await received(signed), {
        privateKeys: { app: APP.privateKey },
        now: 1773500970000,
      }),
    ).toEqual({ ok: true })
    expect(
      verifySafeCreativeRequest(await received(signed), {
        privateKeys: { app: AUTH.privateKey },
        now: 1773500970000,
      }),
    ).toMatchObject({ ok: false })
  })

  it('leaves public components unsigned', () => {
    const request = createRequest({
      method: 'GET',
      url: 'https://api.example/v2/',
      query: { component: 'work.get', code: '1' },
    })
    expect(signer.sign(request, clock)).toEqual({ query: [], trace: [] })
  })

  it('sign then verify: random unicode names and values in random order (property)', () => {
    const name = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
      .filter((n) => !['signature', 'ztime', 'debug-component', 'component', 'authkey'].includes(n))
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, fc.string({ unit: 'grapheme', maxLength: 30 })), {
          selector: (p) => p[0],
          maxLength: 12,
        }),
        fc.boolean(),
        (pairs, post) => {
          const all: Array<[string, string]> = [['component', 'work.list'], ...pairs]
          const signed = signer.signParams(all, 1773500970000)
          expect(verifySafeCreativeParams([...signed.params].reverse(), AUTH.privateKey)).toEqual({
            ok: true,
          })
          // and over the wire: split between query and form, encoded, decoded by the verifier
          const half = Math.floor(signed.params.length / 2)
          const target = `/v2/?${formatQueryPairs(signed.params.slice(0, post ? half : signed.params.length))}`
          const body = post
            ? new TextEncoder().encode(formatQueryPairs(signed.params.slice(half)).replace(/%20/g, '+'))
            : new Uint8Array()
          const headers = post ? { 'content-type': 'application/x-www-form-urlencoded' } : {}
          expect(
            verifySafeCreativeRequest(
              { method: post ? 'POST' : 'GET', target, headers, body },
              { privateKeys: { authkey: AUTH.privateKey }, now: 1773500970000 },
            ),
          ).toEqual({ ok: true })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('a mutated value is rejected and the diff names the token', () => {
    const signed = signer.signParams({ component: 'work.list', page: '2', filter: 'café' }, 1773500970000)
    const tampered = signed.params.map(
      ([n, v]) => (n === 'filter' ? [n, 'cafe'] : [n, v]) as [string, string],
    )
    const signedString = `${AUTH.privateKey}&authkey=${AUTH.authkey}&component=work.list&filter=café&page=2&ztime=1773500970000`
    const result = verifySafeCreativeParams(tampered, AUTH.privateKey, { signedString })
    expect(result).toMatchObject({ ok: false, reason: 'INVALID_SIGNATURE', token: 'value:filter' })
    if (!result.ok) {
      expect(result.failedToken).toMatchObject({ label: 'value:filter', kind: 'value', offsetInToken: 3 })
      expect(result.failedToken!.expected.text).toBe('cafe')
      expect(result.failedToken!.actual.text).toBe('café')
    }
  })

  it('mutating any single signed token is detected and named (property)', () => {
    fc.assert(
      // "&" and "=" are left out of the mutation: a value ending in "&" makes the joined string ambiguous
      // (§2.2), so the first differing byte is then attributed to the delimiter token after it.
      fc.property(
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 3 }).filter((x) => !/[&=]/.test(x)),
        (pick, extra) => {
          const signed = signer.signParams({ component: 'work.list', page: '1', tag: 'a b' }, 1773500970000)
          const pairs = signed.params.filter(([n]) => n !== 'signature')
          const index = pick % pairs.length
          const mutated = pairs.map(
            ([n, v], i) => (i === index ? [n, v + extra] : [n, v]) as [string, string],
          )
          const result = verifySafeCreativeParams(
            [...mutated, ['signature', signed.signature]],
            AUTH.privateKey,
          )
          expect(result.ok).toBe(false)
          const signedString = `${AUTH.privateKey}&${[...pairs]
            .sort((a, b) => (a[0] < b[0] ? -1 : 1))
            .map(([n, v]) => `${n}=${v}`)
            .join('&')}`
          const named = verifySafeCreativeParams(
            [...mutated, ['signature', signed.signature]],
            AUTH.privateKey,
            { signedString },
          )
          expect(named.ok === false && named.token).toBe(`value:${pairs[index]![0]}`)
        },
      ),
    )
  })
})

describe('signer: bad input gets typed errors', () => {
  it('empty keys', () => {
    expect(() => createSafeCreativeSigner({ ...APP, privateKey: '' })).toThrow(
      expect.objectContaining({ code: 'EMPTY_PRIVATE_KEY' }),
    )
    expect(() => createSafeCreativeSigner({ ...APP, authkey: { authkey: 'a', privateKey: '' } })).toThrow(
      expect.objectContaining({ code: 'EMPTY_PRIVATE_KEY' }),
    )
  })

  it('missing or unknown component, non-string values, duplicates, reserved names, no authkey', () => {
    const signer = createSafeCreativeSigner(APP)
    const at = 1773500970000
    expect(() => signer.signParams({ page: '1' }, at)).toThrow(
      expect.objectContaining({ code: 'MISSING_COMPONENT' }),
    )
    expect(() => signer.signParams({ component: 'work.frobnicate' }, at)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_COMPONENT' }),
    )
    expect(() => signer.signParams({ component: 'authkey.create', n: 5 as unknown as string }, at)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { parameter: 'n', type: 'number' } }),
    )
    expect(() =>
      signer.signParams({ component: 'authkey.create', n: null as unknown as string }, at),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() =>
      signer.signParams(
        [
          ['component', 'authkey.create'],
          ['a', '1'],
          ['a', '2'],
        ],
        at,
      ),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { parameter: 'a' } }))
    expect(() => signer.signParams({ component: 'authkey.create', ztime: '1' }, at)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => signer.signParams({ component: 'work.list' }, at)).toThrow(
      expect.objectContaining({ code: 'AUTHKEY_REQUIRED' }),
    )
    expect(() => signer.signParams({ component: 'authkey.create', sharedkey: 'other' }, at)).toThrow(
      expect.objectContaining({ code: 'AUTHKEY_MISMATCH' }),
    )
    const withAuth = signer.withAuthkey(AUTH)
    expect(() => withAuth.signParams({ component: 'work.register', text: 'x' }, at)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { parameter: 'noncekey' } }),
    )
  })

  it('rejects stale or malformed ztime when verifying', () => {
    const signer = createSafeCreativeSigner(APP)
    const signed = signer.signParams({ component: 'authkey.create' }, 1773500970000)
    const target = `/v2/?${formatQueryPairs(signed.params)}`
    const req: ReceivedRequest = { method: 'GET', target, headers: {}, body: new Uint8Array() }
    expect(
      verifySafeCreativeRequest(req, { privateKeys: { app: APP.privateKey }, now: 1773500975000 }),
    ).toEqual({
      ok: true,
    })
    expect(
      verifySafeCreativeRequest(req, { privateKeys: { app: APP.privateKey }, now: 1773500975001 }),
    ).toMatchObject({
      ok: false,
      reason: 'INVALID_TIME',
    })
  })
})
