import { Redactor } from '@sigwire/core'
import { CookieJar } from 'tough-cookie'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SessionCookies } from '../src/session/cookies.js'

afterEach(() => {
  vi.useRealTimers()
})

/** What tough-cookie itself answers for the same Set-Cookie lines at the same time. */
async function reference(lines: Array<[string, string]>, url: string): Promise<string | undefined> {
  const jar = new CookieJar()
  for (const [line, from] of lines) await jar.setCookie(line, from, { ignoreError: true })
  const text = await jar.getCookieString(url)
  return text === '' ? undefined : text
}

describe('SessionCookies.header', () => {
  it("answers tough-cookie's Cookie header, again after the jar changes and after a cookie expires", async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-06T12:00:00Z'))
    const cookies = new SessionCookies(new Redactor())
    const lines: Array<[string, string]> = []
    const store = async (line: string, from: string) => {
      lines.push([line, from])
      await cookies.store(from, line)
    }
    const urls = [
      'https://p01-docws.icloud.com/ws/com.apple.CloudDocs/download/by_id?document_id=1',
      'https://p01-docws.icloud.com/ws/com.apple.CloudDocs/download/by_id?document_id=2',
      'https://p01-docws.icloud.com/other',
      'http://p01-docws.icloud.com/ws/com.apple.CloudDocs/download/by_id',
      'https://www.apple.com/',
    ]
    const check = async () => {
      for (const url of urls) expect(await cookies.header(url), url).toBe(await reference(lines, url))
    }
    await check()
    await store(
      'X-APPLE-WEBAUTH-USER="v=1:s=0"; Domain=.icloud.com; Path=/; Secure',
      'https://setup.icloud.com/',
    )
    await check()
    await store('TOKEN=abc; Domain=.icloud.com; Path=/ws; Secure; Max-Age=60', 'https://setup.icloud.com/')
    await store('PLAIN=1; Domain=.icloud.com; Path=/', 'https://setup.icloud.com/')
    await check()
    expect(await cookies.header(urls[0]!)).toContain('TOKEN=abc')
    // The Max-Age cookie goes once its minute is over, though the header for that path was asked before.
    vi.setSystemTime(new Date('2026-12-06T12:01:01Z'))
    expect(await cookies.header(urls[0]!)).not.toContain('TOKEN=abc')
    expect(await cookies.header(urls[0]!)).toContain('PLAIN=1')
    cookies.clear()
    expect(await cookies.header(urls[0]!)).toBeUndefined()
  })

  it('does not remember a lookup that a Set-Cookie overtook', async () => {
    const cookies = new SessionCookies(new Redactor())
    const url = 'https://p01-docws.icloud.com/ws/com.apple.CloudDocs/download/by_id'
    await cookies.store(url, 'OLD=1; Path=/')
    const during = cookies.header(url)
    await cookies.store(url, 'NEW=2; Path=/')
    await during
    expect(await cookies.header(url)).toBe(
      await reference(
        [
          ['OLD=1; Path=/', url],
          ['NEW=2; Path=/', url],
        ],
        url,
      ),
    )
  })
})
