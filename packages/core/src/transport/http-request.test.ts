import { describe, expect, it } from 'vitest'
import { createRequest } from './http-request.js'

describe('createRequest', () => {
  it('reads a URL object as it reads the same URL as a string', () => {
    const text = 'https://EXAMPLE.com:443/a/../b%2fc?x=1 2&y'
    const fromString = createRequest({ method: 'get', url: text, query: [['z', 'a b']] })
    const fromUrl = createRequest({ method: 'get', url: new URL(text), query: [['z', 'a b']] })
    expect(fromUrl).toEqual(fromString)
    expect(fromUrl).toMatchObject({ origin: 'https://example.com', target: '/b%2fc?x=1%202&y&z=a%20b' })
  })

  it('refuses a URL object it would refuse as a string', () => {
    for (const url of ['ftp://example.com/f', 'https://user:secret@example.com/']) {
      const message = (() => {
        try {
          createRequest({ method: 'GET', url: new URL(url) })
        } catch (error) {
          return (error as Error).message
        }
        return 'accepted'
      })()
      expect(message).not.toBe('accepted')
      expect(message).not.toContain('secret')
    }
    expect(() => createRequest({ method: 'GET', url: '/relative' })).toThrow(/not an absolute URL/)
  })
})
