import { loadVectorFile } from '@sigwire/vitest-config/vectors'

export type { AppleNewsVectorCase } from '@sigwire/vitest-config/vectors'

/** The whole vector file. */
export const vectors = loadVectorFile('apple-news.json')

/** Decodes a vector's base64 body (empty for GET/DELETE). */
export function vectorBody(base64: string | null): Uint8Array {
  return base64 === null ? new Uint8Array(0) : new Uint8Array(Buffer.from(base64, 'base64'))
}

/**
 * The DERIVED vectors A1–A5 of docs/protocols/apple-news.md §1.5 (secret `dGVzdHNlY3JldA==`, base64 of
 * "testsecret", from hodinkee/apple-news-rb's spec), computed there with independent HMAC implementations.
 */
export const protocolNoteVectors = {
  secret: 'dGVzdHNlY3JldA==',
  date: '2015-03-05T02:49:58Z',
  a4Body:
    '--535e329ca936f79a19ac9a251f7d48f7\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name=article.json; filename=article.json\r\n\r\n{"version":"1.7","identifier":"x","language":"en","title":"T","layout":{"columns":7,"width":1024},"components":[{"role":"title","text":"T"}]}\r\n--535e329ca936f79a19ac9a251f7d48f7--\r\n',
  cases: [
    {
      id: 'A1',
      method: 'GET',
      url: 'https://news-api.apple.com/channels/cccccccc-cccc-cccc-cccc-cccccccccccc',
      date: '2015-03-05T02:49:58Z',
      signature: 'MN9bJlG6e8jgmeaTzl92q/EGyW+QoYL8kruDJZnJNLQ=',
    },
    {
      id: 'A2',
      method: 'GET',
      url: 'https://news-api.apple.com/channels/cccccccc-cccc-cccc-cccc-cccccccccccc/articles?pageSize=2',
      date: '2015-03-05T02:49:58Z',
      signature: 'jBCgVR6RiI9HO16bnaCQiBd6tyrahUFzuXe1xDCy4aI=',
    },
    {
      id: 'A3',
      method: 'POST',
      url: 'https://news-api.apple.com/sections/a3caeb08-b9db-4002-b379-cde305d74be7/promotedArticles',
      date: '2015-03-05T02:49:58Z',
      contentType: 'application/json',
      body: '{"data":{"promotedArticles":["F59D1784-CAFC-432A-9A1A-EF2FCE1E1C60"]}}',
      signature: 'W/6bJV5eFc5pLCsjpo68mmH2GM8ET/HxJlO+ZGrfHGY=',
    },
    {
      id: 'A4',
      method: 'POST',
      url: 'https://news-api.apple.com/channels/cccccccc-cccc-cccc-cccc-cccccccccccc/articles',
      date: '2015-03-05T02:49:58Z',
      contentType: 'multipart/form-data; boundary=535e329ca936f79a19ac9a251f7d48f7',
      body: 'A4',
      signature: 'rhNmJ1yJXwrkPKe91cwqIFkZOsHSr9FSP/78F7CDp5I=',
    },
    {
      id: 'A5',
      method: 'GET',
      url: 'https://news-api.apple.com/channels/cccccccc-cccc-cccc-cccc-cccccccccccc',
      date: '2015-03-05T02:49:58+00:00',
      signature: 'UNgqXDxHcQmQrN/gOmziKaxfFXE2dRbuUJ8EE1GqIHw=',
    },
  ] as Array<{
    id: string
    method: string
    url: string
    date: string
    contentType?: string
    body?: string
    signature: string
  }>,
  /** A1 keyed with the undecoded secret string: must be rejected. */
  a1Wrong: 'jdOAZgD04eqRdXkb/azmgLQd2ZnXLrAzGdwhYTaNYZI=',
}
