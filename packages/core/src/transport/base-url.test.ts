import { describe, expect, it } from 'vitest'
import { checkBaseUrl, isLoopbackHost } from './base-url.js'

function refusal(
  value: unknown,
  options?: Parameters<typeof checkBaseUrl>[1],
): { code?: string; message: string } {
  try {
    checkBaseUrl(value, options)
  } catch (error) {
    return error as { code?: string; message: string }
  }
  return { message: 'accepted' }
}

describe('checkBaseUrl', () => {
  it.each([
    ['https://api.example.com'],
    ['https://api.example.com/v2/'],
    ['http://127.0.0.1:8080'],
    ['http://localhost:3000/v2/'],
    ['http://[::1]:9000'],
  ])('accepts %s', (url) => {
    expect(checkBaseUrl(url).href.startsWith(url.replace(/\/$/, ''))).toBe(true)
  })

  it.each([
    ['https://api.example.com/#top', /fragment/],
    ['https://api.example.com/?', /query/],
    ['https://api.example.com/v2/?component=ztime', /query/],
    ['https://user:pass@api.example.com', /credentials/],
    ['ftp://api.example.com', /https/],
    ['api.example.com', /absolute/],
    [42, /absolute/],
    ['http://api.example.com', /clear text.*allowInsecureHttp: true/],
    ['http://10.0.0.5:8080', /clear text/],
  ])('refuses %s with INVALID_ARGUMENT', (url, message) => {
    const error = refusal(url, { what: 'baseUrl' })
    expect(error.code).toBe('INVALID_ARGUMENT')
    expect(error.message).toMatch(/^baseUrl /)
    expect(error.message).toMatch(message)
  })

  it('allows http to another host only when asked explicitly', () => {
    expect(checkBaseUrl('http://proxy.internal:8080', { allowInsecureHttp: true }).hostname).toBe(
      'proxy.internal',
    )
    expect(refusal('http://user@proxy.internal', { allowInsecureHttp: true }).code).toBe('INVALID_ARGUMENT')
  })

  it('knows loopback hosts', () => {
    expect(['localhost', 'a.localhost', '127.0.0.1', '127.1.2.3', '[::1]'].every(isLoopbackHost)).toBe(true)
    expect(
      ['example.com', '128.0.0.1', '127.0.0.1.example.com', 'localhost.example.com'].some(isLoopbackHost),
    ).toBe(false)
  })
})
