import { createHash, createHmac } from 'node:crypto'
import { formatQueryPairs, type ReceivedRequest } from '@sigwire/core'
import { describe, expect, it } from 'vitest'
import { diagnoseSafeCreativeRequest } from './diagnose.js'

const APP_KEY = 'k3v8q1m0z7x2c5b9n4w6e8r1t'
const AUTH_KEY = 'h5j8k2l4m6n9b1v3c5x7z0q2w'
const AUTHKEY = '7p2m9x4k1c8v5b3n6q0w2e4r7'
const NOW = 1773500970000
const keys = { app: APP_KEY, authkey: AUTH_KEY }

type Pairs = Array<[string, string]>
const sha1 = (text: string | Buffer) => createHash('sha1').update(text).digest('hex')
const sorted = (pairs: Pairs) => [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
const join = (pairs: Pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('&')

/** A GET request carrying `pairs` (encoded with %20) and `signature`. */
function get(pairs: Pairs, signature: string | undefined, rawQuery?: string): ReceivedRequest {
  const query = rawQuery ?? formatQueryPairs(pairs)
  return {
    method: 'GET',
    target: `/v2/?${query}${signature === undefined ? '' : `&signature=${signature}`}`,
    headers: {},
    body: new Uint8Array(),
  }
}

const list: Pairs = [
  ['component', 'work.list'],
  ['authkey', AUTHKEY],
  ['page', '1'],
  ['ztime', String(NOW)],
]

function codes(
  request: ReceivedRequest,
  extra: Partial<Parameters<typeof diagnoseSafeCreativeRequest>[0]> = {},
) {
  const result = diagnoseSafeCreativeRequest({ request, privateKeys: keys, now: NOW, ...extra })
  return { ok: result.ok, codes: result.findings.map((f) => f.code), result }
}

describe('diagnoseSafeCreativeRequest', () => {
  it('passes a correct request', () => {
    const { ok, codes: c, result } = codes(get(list, sha1(`${AUTH_KEY}&${join(sorted(list))}`)))
    expect(ok).toBe(true)
    expect(c).toEqual([])
    expect(result.matched).toEqual([])
  })

  it('params-not-sorted', () => {
    expect(codes(get(list, sha1(`${AUTH_KEY}&${join(list)}`))).codes).toEqual(['params-not-sorted'])
    const linked: Pairs = [...list, ['link2', 'b'], ['link10', 'a']]
    const numeric = [...linked].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
    expect(codes(get(linked, sha1(`${AUTH_KEY}&${join(numeric)}`))).codes).toEqual(['params-not-sorted'])
  })

  it('values-url-encoded', () => {
    const pairs: Pairs = [...list, ['filter', 'a b&c=ó']]
    const encoded = sorted(pairs).map(([n, v]) => [n, encodeURIComponent(v)] as [string, string])
    expect(codes(get(pairs, sha1(`${AUTH_KEY}&${join(encoded)}`))).codes).toEqual(['values-url-encoded'])
  })

  it('excluded-param-signed', () => {
    const pairs: Pairs = [...list, ['debug-component', 'signature.analysis']]
    expect(codes(get(pairs, sha1(`${AUTH_KEY}&${join(sorted(pairs))}`))).codes).toEqual([
      'excluded-param-signed',
    ])
  })

  it('wrong-private-key (authkey.state is app-signed even though it names an authkey)', () => {
    const state: Pairs = [
      ['component', 'authkey.state'],
      ['authkey', AUTHKEY],
      ['sharedkey', 'zy9x4ol0ctg3btyswq7b5wi9'],
      ['ztime', String(NOW)],
    ]
    const { codes: c, result } = codes(get(state, sha1(`${AUTH_KEY}&${join(sorted(state))}`)))
    expect(c).toEqual(['wrong-private-key'])
    expect(result.findings[0]!.fix).toContain('sharedkey')
    // combined with another mistake, both are named
    expect(codes(get(state, sha1(`${AUTH_KEY}&${join(state)}`))).codes).toEqual([
      'wrong-private-key',
      'params-not-sorted',
    ])
  })

  it('ztime-skew and ztime-not-milliseconds', () => {
    const good = get(list, sha1(`${AUTH_KEY}&${join(sorted(list))}`))
    const { ok, codes: c, result } = codes(good, { now: NOW - 12_000 })
    expect(ok).toBe(false)
    expect(c).toEqual(['ztime-skew'])
    expect(result.findings[0]!.message).toContain('12.0 s ahead of')
    const seconds: Pairs = list.map(([n, v]) => (n === 'ztime' ? [n, String(NOW / 1000)] : [n, v]))
    expect(codes(get(seconds, sha1(`${AUTH_KEY}&${join(sorted(seconds))}`))).codes).toEqual([
      'ztime-not-milliseconds',
    ])
  })

  it('the other §6 mistakes', () => {
    const s = join(sorted(list))
    expect(codes(get(list, sha1(`${AUTH_KEY}${s}`))).codes).toEqual(['key-not-prepended'])
    expect(codes(get(list, sha1(`${s}&${AUTH_KEY}`))).codes).toEqual(['key-not-prepended'])
    const withLocale: Pairs = [...list, ['locale', 'en-US']]
    expect(codes(get(withLocale, sha1(`${AUTH_KEY}&${s}`))).codes).toEqual(['param-added-after-signing'])
    const accented: Pairs = [...list, ['filter', 'canción']]
    const latin1 = Buffer.from(`${AUTH_KEY}&${join(sorted(accented))}`, 'latin1')
    expect(codes(get(accented, sha1(latin1))).codes).toEqual(['latin1-encoding'])
    expect(codes(get(list, sha1(`${AUTH_KEY}&${s}`).toUpperCase())).codes).toEqual([
      'signature-uppercase-hex',
    ])
    const b64 = createHash('sha1').update(`${AUTH_KEY}&${s}`).digest('base64')
    expect(codes(get(list, encodeURIComponent(b64))).codes).toEqual(['signature-base64'])
    expect(codes(get(list, createHmac('sha1', AUTH_KEY).update(s).digest('hex'))).codes).toEqual([
      'hmac-instead-of-sha1',
    ])
    const empty: Pairs = [...list, ['tag', '']]
    expect(codes(get(empty, sha1(`${AUTH_KEY}&${s}`))).codes).toEqual(['empty-param-skipped'])
    // "1+1" sent raw: the server reads "1 1"; the client signed "1+1"
    const plus: Pairs = [...list, ['filter', '1+1']]
    const rawQuery = `${formatQueryPairs(list)}&filter=1+1`
    expect(codes(get(plus, sha1(`${AUTH_KEY}&${join(sorted(plus))}`), rawQuery)).codes).toEqual([
      'plus-decoded-as-space',
    ])
  })

  it('missing pieces', () => {
    expect(codes(get(list, undefined)).codes).toEqual(['signature-missing'])
    expect(
      codes(
        get(
          list.filter(([n]) => n !== 'component'),
          'x',
        ),
      ).codes,
    ).toEqual(['component-missing'])
    const register: Pairs = [
      ['component', 'work.register'],
      ['authkey', AUTHKEY],
      ['text', 'x'],
      ['ztime', String(NOW)],
    ]
    expect(codes(get(register, sha1(`${AUTH_KEY}&${join(sorted(register))}`))).codes).toEqual([
      'noncekey-missing',
    ])
    expect(codes(get(list, '0'.repeat(40))).codes).toEqual(['signature-mismatch'])
    const noKeys = diagnoseSafeCreativeRequest({ request: get(list, 'abc'), now: NOW })
    expect(noKeys).toMatchObject({ ok: true, findings: [{ code: 'keys-needed', severity: 'note' }] })
  })

  it('diffs the client string token by token, and names a catalogued mistake from it without keys', () => {
    const typo = `${AUTH_KEY}&authkey=${AUTHKEY}&component=work.list&page=01&ztime=${NOW}`
    const { result } = codes(get(list, sha1(typo)), { signedString: typo })
    expect(result.findings.map((f) => f.code)).toEqual(['signature-mismatch', 'signed-string-differs'])
    expect(result.firstDifference).toMatchObject({ label: 'value:page', kind: 'value', offsetInToken: 0 })
    expect(result.findings[1]!.message).toContain('(value:page)')
    expect(JSON.stringify(result)).not.toContain(AUTH_KEY)

    const unsorted = `${AUTH_KEY}&${join(list)}`
    const withoutKeys = diagnoseSafeCreativeRequest({
      request: get(list, sha1(unsorted)),
      signedString: unsorted,
      now: NOW,
    })
    expect(withoutKeys.findings.map((f) => f.code)).toEqual(['params-not-sorted'])
    expect(withoutKeys.firstDifference?.label).toBe('name:authkey')
  })
})
