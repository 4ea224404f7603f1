import { describe, expect, it } from 'vitest'
import { parseCurl } from './curl.js'
import { parseHar } from './har.js'
import { parseRawHttpRequest } from './raw-http.js'

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'))

describe('raw HTTP requests', () => {
  it('reads an origin-form request with CRLF and an exact body', () => {
    const r = parseRawHttpRequest(
      enc(
        'POST /database/1/c/development/public/records/query?x=1%2B HTTP/1.1\r\nHost: api.apple-cloudkit.com\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 5\r\n\r\n{"é"',
      ),
    )
    expect(r).toMatchObject({
      method: 'POST',
      target: '/database/1/c/development/public/records/query?x=1%2B',
      origin: 'https://api.apple-cloudkit.com',
    })
    expect(r.headers['x-a']).toEqual(['1', '2'])
    expect(Buffer.from(r.body).toString()).toBe('{"é"')
  })

  it('accepts LF line endings, an absolute URL, and trims a trailing newline beyond Content-Length', () => {
    const r = parseRawHttpRequest(
      enc('GET https://news-api.apple.com/channels/x?pageSize=2 HTTP/1.1\nContent-Length: 0\n\n\n'),
    )
    expect(r).toMatchObject({
      method: 'GET',
      origin: 'https://news-api.apple.com',
      target: '/channels/x?pageSize=2',
    })
    expect(r.body.byteLength).toBe(0)
    expect(r.warnings.join()).toMatch(/ignored 1 byte/)
  })

  it('keeps binary bodies byte for byte', () => {
    const head = Buffer.from('POST /u HTTP/1.1\r\nContent-Length: 4\r\n\r\n')
    const r = parseRawHttpRequest(new Uint8Array(Buffer.concat([head, Buffer.from([0, 255, 13, 10])])))
    expect([...r.body]).toEqual([0, 255, 13, 10])
  })

  it('rejects a missing request line and a truncated body', () => {
    expect(() => parseRawHttpRequest(enc('Host: x\r\n\r\n'))).toThrow(/request line/)
    expect(() => parseRawHttpRequest(enc('POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc'))).toThrow(
      /truncated/,
    )
  })
})

describe('HAR', () => {
  const har = JSON.stringify({
    log: {
      entries: [
        { request: { method: 'GET', url: 'https://example.com/other', headers: [] } },
        {
          request: {
            method: 'post',
            url: 'https://news-api.apple.com/sections/s/promotedArticles?a=%20b',
            headers: [
              { name: ':authority', value: 'news-api.apple.com' },
              { name: 'Authorization', value: 'HHMAC; key=k; signature=s; date=d' },
            ],
            postData: { mimeType: 'application/json', text: '{"data":{}}' },
          },
        },
      ],
    },
  })

  it('picks the entry matching a URL fragment and keeps the target as recorded', () => {
    const r = parseHar(har, { match: 'promotedArticles' })
    expect(r).toMatchObject({
      method: 'POST',
      origin: 'https://news-api.apple.com',
      target: '/sections/s/promotedArticles?a=%20b',
    })
    expect(r.headers).toEqual({ authorization: 'HHMAC; key=k; signature=s; date=d' })
    expect(Buffer.from(r.body).toString()).toBe('{"data":{}}')
  })

  it('decodes base64 post data and rejects invalid files', () => {
    const b64 = JSON.stringify({
      log: {
        entries: [
          {
            request: {
              method: 'POST',
              url: 'http://h/',
              headers: [],
              postData: { text: 'AP8=', encoding: 'base64' },
            },
          },
        ],
      },
    })
    expect([...parseHar(b64).body]).toEqual([0, 255])
    expect(() => parseHar('{')).toThrow(/not valid JSON/)
    expect(() => parseHar('{"log":{"entries":[]}}')).toThrow(/no log.entries/)
  })
})

describe('curl command lines', () => {
  it('follows curl: -d implies POST and a form content type; quotes and line continuations work', () => {
    const r = parseCurl(
      `curl -s 'https://api.safecreative.org/v2/?component=work.list' \\\n  -H 'X-Trace: a b' -d 'a=1' --data "b=2 3"`,
    )
    expect(r).toMatchObject({
      method: 'POST',
      origin: 'https://api.safecreative.org',
      target: '/v2/?component=work.list',
    })
    expect(Buffer.from(r.body).toString()).toBe('a=1&b=2 3')
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(r.headers['x-trace']).toBe('a b')
  })

  it('supports -X, --data-binary @file (bytes kept), -d @file (newlines dropped), -G and --json', () => {
    const files: Record<string, Uint8Array> = { 'body.json': enc('{"a":\n1}\n') }
    const read = (p: string) => files[p]!
    expect(
      Buffer.from(parseCurl('curl -X PUT --data-binary @body.json http://h/x', read).body).toString(),
    ).toBe('{"a":\n1}\n')
    expect(Buffer.from(parseCurl('curl -d @body.json http://h/x', read).body).toString()).toBe('{"a":1}')
    const g = parseCurl('curl -G -d a=1 -d b=2 http://h/x?z=0')
    expect(g).toMatchObject({ method: 'GET', target: '/x?z=0&a=1&b=2' })
    const j = parseCurl(`curl --json '{"q":1}' https://h/`)
    expect(j.headers['content-type']).toBe('application/json')
  })

  it('rejects pipes and commands that are not curl', () => {
    expect(() => parseCurl('curl https://h/ | jq .')).toThrow(/operators/)
    expect(() => parseCurl('wget https://h/')).toThrow(/starting with "curl"/)
    expect(() => parseCurl('curl -H')).toThrow(/needs a value/)
  })
})
