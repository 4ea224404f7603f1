import { bytesToken, isBytesToken, type Token } from '@sigwire/core'

const DATE = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g

/**
 * Splits a client's claimed string-to-sign into the protocol's tokens, guided by the tokens the
 * verifier rebuilt, so `diffTokens` can name the first one that differs. HHMAC has no separators,
 * so the boundaries are found by content: the method is the leading letters, the date is the first
 * ISO 8601 date-time after the URL (not a query value), and the content type ends where the body
 * begins (the expected body, `--<boundary>` of a multipart body, or JSON's first bracket).
 */
export function splitSignedString(signed: Uint8Array, expected: readonly Token[]): Token[] {
  const text = Buffer.from(signed.buffer, signed.byteOffset, signed.byteLength).toString('latin1')
  const want = (label: string): string => {
    const token = expected.find((t) => t.label === label)
    return token && isBytesToken(token) ? Buffer.from(token.bytes).toString('latin1') : ''
  }
  const tokens: Token[] = []
  const push = (label: string, value: string) => tokens.push(bytesToken(label, Buffer.from(value, 'latin1')))

  const expectedMethod = want('method')
  let methodEnd: number
  if (text.slice(0, expectedMethod.length).toUpperCase() === expectedMethod.toUpperCase())
    methodEnd = expectedMethod.length
  else {
    const http = text.search(/https?:|\//)
    methodEnd = http > 0 ? http : (/^[A-Za-z]*/.exec(text)?.[0].length ?? 0)
  }
  push('method', text.slice(0, methodEnd))

  let dateStart = -1
  let dateEnd = -1
  const expectedUrl = want('url')
  const afterUrl = methodEnd + expectedUrl.length
  if (text.startsWith(expectedUrl, methodEnd) && startsWithDate(text, afterUrl)) {
    dateStart = afterUrl
    dateEnd = afterUrl + startsWithDate(text, afterUrl)
  } else {
    DATE.lastIndex = methodEnd
    for (let match = DATE.exec(text); match; match = DATE.exec(text)) {
      if (text[match.index - 1] === '=') continue
      dateStart = match.index
      dateEnd = match.index + match[0].length
      break
    }
  }
  if (dateStart === -1) {
    push('url', text.slice(methodEnd))
    return tokens
  }
  push('url', text.slice(methodEnd, dateStart))
  // Prefer the expected date when the text continues with it (a date regex cannot know where "Z" ends).
  const expectedDate = want('date')
  if (text.startsWith(expectedDate, dateStart) && expectedDate.length > 0)
    dateEnd = dateStart + expectedDate.length
  push('date', text.slice(dateStart, dateEnd))

  const rest = text.slice(dateEnd)
  if (rest === '') return tokens
  const split = splitEntity(rest, want('content-type'), want('body'))
  push('content-type', split[0])
  push('body', split[1])
  return tokens
}

function startsWithDate(text: string, at: number): number {
  DATE.lastIndex = at
  const match = DATE.exec(text)
  return match && match.index === at ? match[0].length : 0
}

function splitEntity(rest: string, contentType: string, body: string): [string, string] {
  if (body !== '' && rest.endsWith(body) && rest.length > body.length)
    return [rest.slice(0, -body.length), body]
  const b = rest.indexOf('boundary=')
  if (b !== -1) {
    const from = b + 'boundary='.length
    for (let p = from + 1; p < rest.length; p++) {
      const boundary = rest.slice(from, p).replace(/^"|"$/g, '')
      if (rest.startsWith(`--${boundary}`, p)) return [rest.slice(0, p), rest.slice(p)]
    }
  }
  if (contentType !== '' && rest.startsWith(contentType)) return [contentType, rest.slice(contentType.length)]
  const json = rest.search(/[{[]/)
  if (json > 0) return [rest.slice(0, json), rest.slice(json)]
  if (contentType !== '' && rest.length > contentType.length)
    return [rest.slice(0, contentType.length), rest.slice(contentType.length)]
  return [rest, '']
}
