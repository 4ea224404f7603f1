import { describe, expect, it } from 'vitest'
import { isLoopbackAddress, refuseRequest, tokenMatches } from './guard.js'

const ok = { remoteAddress: '127.0.0.1', host: '127.0.0.1:4000', origin: undefined, fetchSite: undefined }

describe('refuseRequest', () => {
  it('lets the UI own pages through', () => {
    expect(refuseRequest(ok, 4000)).toBeUndefined()
    expect(
      refuseRequest({ ...ok, host: 'localhost:4000', origin: 'http://localhost:4000' }, 4000),
    ).toBeUndefined()
    expect(refuseRequest({ ...ok, remoteAddress: '::1', host: '[::1]:4000' }, 4000)).toBeUndefined()
    expect(
      refuseRequest({ ...ok, remoteAddress: '::ffff:127.0.0.1', fetchSite: 'same-origin' }, 4000),
    ).toBeUndefined()
    expect(refuseRequest({ ...ok, fetchSite: 'none' }, 4000)).toBeUndefined()
  })

  it('refuses other machines', () => {
    expect(refuseRequest({ ...ok, remoteAddress: '192.168.1.4' }, 4000)).toBe('NOT_LOOPBACK')
    expect(refuseRequest({ ...ok, remoteAddress: '::ffff:10.0.0.1' }, 4000)).toBe('NOT_LOOPBACK')
    expect(refuseRequest({ ...ok, remoteAddress: undefined }, 4000)).toBe('NOT_LOOPBACK')
  })

  it('refuses a rebound or missing Host, and another port', () => {
    expect(refuseRequest({ ...ok, host: 'attacker.example:4000' }, 4000)).toBe('BAD_HOST')
    expect(refuseRequest({ ...ok, host: '127.0.0.1:4001' }, 4000)).toBe('BAD_HOST')
    expect(refuseRequest({ ...ok, host: '127.0.0.1' }, 4000)).toBe('BAD_HOST')
    expect(refuseRequest({ ...ok, host: undefined }, 4000)).toBe('BAD_HOST')
  })

  it('refuses pages of other origins, including other loopback ports and null', () => {
    expect(refuseRequest({ ...ok, origin: 'http://attacker.example' }, 4000)).toBe('BAD_ORIGIN')
    expect(refuseRequest({ ...ok, origin: 'http://127.0.0.1:8080' }, 4000)).toBe('BAD_ORIGIN')
    expect(refuseRequest({ ...ok, origin: 'null' }, 4000)).toBe('BAD_ORIGIN')
    expect(refuseRequest({ ...ok, origin: 'https://127.0.0.1:4000' }, 4000)).toBe('BAD_ORIGIN')
    expect(refuseRequest({ ...ok, fetchSite: 'cross-site' }, 4000)).toBe('CROSS_SITE')
    expect(refuseRequest({ ...ok, fetchSite: 'same-site' }, 4000)).toBe('CROSS_SITE')
  })
})

describe('isLoopbackAddress', () => {
  it('knows 127/8 and ::1 only', () => {
    expect(isLoopbackAddress('127.0.0.53')).toBe(true)
    expect(isLoopbackAddress('::1')).toBe(true)
    expect(isLoopbackAddress('::ffff:127.1.2.3')).toBe(true)
    expect(isLoopbackAddress('128.0.0.1')).toBe(false)
    expect(isLoopbackAddress('::2')).toBe(false)
    expect(isLoopbackAddress('localhost')).toBe(false)
  })
})

describe('tokenMatches', () => {
  it('compares whole tokens', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abd', 'abc')).toBe(false)
    expect(tokenMatches('ab', 'abc')).toBe(false)
    expect(tokenMatches(undefined, 'abc')).toBe(false)
    expect(tokenMatches('', 'abc')).toBe(false)
  })
})
