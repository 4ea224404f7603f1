import { describe, expect, it } from 'vitest'
import type { ParsedRequest } from '../../input/parsed-request.js'
import { resolveAppleNewsOrigin } from './origin.js'
import { appleNewsSignInput } from './sign-input.js'
import { signedStringFromFile } from './signed-string.js'

describe('resolveAppleNewsOrigin', () => {
  const request = (origin: string | undefined): ParsedRequest => ({
    method: 'GET',
    target: '/channels/x',
    headers: {},
    body: new Uint8Array(),
    origin,
    warnings: [],
  })

  it("uses Apple's origin for Apple's host whatever the capture says, with a warning when it differs", () => {
    expect(resolveAppleNewsOrigin(request('https://news-api.apple.com'))).toEqual({
      origin: 'https://news-api.apple.com',
    })
    expect(resolveAppleNewsOrigin(request('http://NEWS-API.apple.com:443'))).toMatchObject({
      origin: 'https://news-api.apple.com',
      warning: expect.stringMatching(/not http:\/\/NEWS-API\.apple\.com:443/),
    })
    expect(resolveAppleNewsOrigin(request(undefined))).toMatchObject({
      origin: 'https://news-api.apple.com',
      warning: expect.stringMatching(/names no host/),
    })
  })

  it('keeps another host as captured, and --public-origin over everything', () => {
    expect(resolveAppleNewsOrigin(request('http://127.0.0.1:8080'))).toEqual({
      origin: 'http://127.0.0.1:8080',
    })
    expect(resolveAppleNewsOrigin(request('https://news-api.apple.com'), 'http://localhost:1/')).toEqual({
      origin: 'http://localhost:1',
    })
    expect(() => resolveAppleNewsOrigin(request(undefined), 'news-api.apple.com')).toThrow(/scheme and host/)
  })
})

describe('appleNewsSignInput', () => {
  const now = new Date('2026-03-14T15:09:26.789Z')
  const url = 'https://news-api.apple.com/channels/x?pageSize=2'

  it('signs the method in capitals, the URL as given and the current second', () => {
    const { input, notes } = appleNewsSignInput({ method: 'get', url }, undefined, now)
    expect(input).toEqual({
      method: 'GET',
      url,
      date: '2026-03-14T15:09:26Z',
      contentType: undefined,
      body: undefined,
    })
    expect(notes).toEqual([])
  })

  it('signs the content type only with a body, and notes what Apple would not expect', () => {
    const body = new Uint8Array([1])
    const post = appleNewsSignInput({ method: 'POST', url, contentType: 'application/json' }, body, now)
    expect(post.input).toMatchObject({ contentType: 'application/json', body })
    const get = appleNewsSignInput(
      {
        method: 'GET',
        url: url.replace('.com/', '.com:443/'),
        date: '2026-03-14T15:09:26+00:00',
        contentType: 'a/b',
      },
      undefined,
      now,
    )
    expect(get.input.contentType).toBeUndefined()
    expect(get.notes.join('\n')).toMatch(/without a port[\s\S]*date-offset-form[\s\S]*not signed/)
  })

  it('refuses what cannot be signed', () => {
    expect(() => appleNewsSignInput({ method: 'GET', url: 'news-api.apple.com/x' }, undefined, now)).toThrow(
      /with its scheme/,
    )
    expect(() => appleNewsSignInput({ method: 'GET', url: 'https://h/a b' }, undefined, now)).toThrow(
      /whitespace/,
    )
    expect(() => appleNewsSignInput({ method: 'POST', url }, new Uint8Array([1]), now)).toThrow(
      /--content-type/,
    )
    expect(() => appleNewsSignInput({ method: 'GET', url, date: '2026-03-14' }, undefined, now)).toThrow()
  })
})

describe('signedStringFromFile', () => {
  const bytes = (s: string) => new Uint8Array(Buffer.from(s))
  it('drops the line break an editor adds after a string without a body, and nothing else', () => {
    expect(Buffer.from(signedStringFromFile(bytes('GETu2026Z\r\n'), false)).toString()).toBe('GETu2026Z')
    expect(Buffer.from(signedStringFromFile(bytes('GETu2026Z\n'), false)).toString()).toBe('GETu2026Z')
    expect(Buffer.from(signedStringFromFile(bytes('POST--b--\r\n'), true)).toString()).toBe('POST--b--\r\n')
  })
})
