import { formatIsoSeconds, percentDecode } from '@sigwire/core'
import { permutations } from '@sigwire/core/doctor'
import {
  type AppleNewsStringToSign,
  type AppleNewsStringToSignVariant,
  appleNewsStringToSign,
} from '../signing/string-to-sign.js'
import type { AppleNewsFindingCode } from './findings.js'

/** A request as received, reduced to what HHMAC signs. */
export interface SignedParts {
  readonly method: string
  /** The origin the server verifies against (publicOrigin). */
  readonly origin: string
  readonly target: string
  readonly date: string
  readonly instant: Date | undefined
  readonly contentType: string | undefined
  readonly body: Uint8Array
  /** The Host header as received, when it names another host or port than `origin`. */
  readonly host: string | undefined
}

/** One known mistake: the string-to-sign a client that made it would have signed. */
export interface Candidate {
  readonly code: AppleNewsFindingCode
  readonly message: string
  /** Built by the signer's builder, with the mistake applied. */
  readonly signed: AppleNewsStringToSign
}

/**
 * The candidate strings-to-sign of docs/protocols/apple-news.md §5 (#4–#10), each rebuilt from the request
 * as sent with one mistake applied. The doctor reports the one the received signature verifies over.
 */
export function structuralCandidates(parts: SignedParts): Candidate[] {
  const out: Candidate[] = []
  const build = (
    overrides: Partial<Omit<SignedParts, 'body'>> & { url?: string; body?: Uint8Array | undefined },
    variant?: AppleNewsStringToSignVariant,
  ) =>
    appleNewsStringToSign(
      {
        method: overrides.method ?? parts.method,
        url: overrides.url ?? parts.origin + parts.target,
        date: overrides.date ?? parts.date,
        contentType: 'contentType' in overrides ? overrides.contentType : parts.contentType,
        body: 'body' in overrides ? overrides.body : parts.body,
      },
      variant,
    )
  const add = (code: AppleNewsFindingCode, message: string, signed: AppleNewsStringToSign) =>
    out.push({ code, message, signed })

  // #10 method case.
  if (parts.method !== parts.method.toLowerCase())
    add(
      'method-not-signed-as-sent',
      `The client signed the method in lower case ("${parts.method.toLowerCase()}").`,
      build({ method: parts.method.toLowerCase() }),
    )

  // #4 URL forms.
  const url = new URL(parts.origin)
  const hostPath = url.host + parts.target
  add(
    'url-missing-scheme',
    `The client signed the URL without its scheme: "${hostPath}".`,
    build({ url: hostPath }),
  )
  add(
    'url-missing-scheme',
    `The client signed the URL without its scheme: "//${hostPath}".`,
    build({ url: `//${hostPath}` }),
  )
  add(
    'url-not-signed-as-sent',
    `The client signed only the path and query "${parts.target}", not the full URL.`,
    build({ url: parts.target }),
  )
  const otherScheme = url.protocol === 'https:' ? 'http:' : 'https:'
  add(
    'url-not-signed-as-sent',
    `The client signed the URL with ${otherScheme}// instead of ${url.protocol}//.`,
    build({ url: `${otherScheme}//${url.host}${parts.target}` }),
  )
  if (url.port === '') {
    const port = url.protocol === 'https:' ? '443' : '80'
    add(
      'url-not-signed-as-sent',
      `The client signed the URL with the port :${port}; Apple signs it without.`,
      build({ url: `${url.protocol}//${url.hostname}:${port}${parts.target}` }),
    )
  }
  if (parts.host !== undefined && parts.host !== url.host)
    for (const scheme of ['http:', 'https:'])
      add(
        'url-not-signed-as-sent',
        `The client signed the URL it connected to (${scheme}//${parts.host}) instead of ${parts.origin}; the server verifies against ${parts.origin}.`,
        build({ url: `${scheme}//${parts.host}${parts.target}` }),
      )

  // #5 query dropped, reordered or re-encoded.
  const q = parts.target.indexOf('?')
  if (q !== -1) {
    const path = parts.target.slice(0, q)
    const query = parts.target.slice(q + 1)
    add(
      'query-not-signed',
      `The client signed the URL without its query string "?${query}".`,
      build({ url: parts.origin + path }),
    )
    const pairs = query.split('&')
    const sorted = [...pairs].sort().join('&')
    if (sorted !== query)
      add(
        'url-not-signed-as-sent',
        'The client signed the query parameters sorted by name, not in the order sent.',
        build({ url: `${parts.origin}${path}?${sorted}` }),
      )
    // Any other order (a client that builds the query from an unordered map), for short queries.
    if (pairs.length <= 5)
      for (const order of permutations(pairs)) {
        const reordered = order.join('&')
        if (reordered !== query && reordered !== sorted)
          add(
            'url-not-signed-as-sent',
            `The client signed the query parameters in another order ("?${reordered}") than sent ("?${query}").`,
            build({ url: `${parts.origin}${path}?${reordered}` }),
          )
      }
    const variants = new Set<string>()
    try {
      variants.add(percentDecode(query))
    } catch {}
    variants.add(query.replace(/%20/g, '+'))
    variants.add(query.replace(/\+/g, '%20'))
    variants.add(encodeURI(safeDecode(query)))
    variants.delete(query)
    for (const variant of variants)
      add(
        'url-not-signed-as-sent',
        `The client signed the query encoded differently ("?${variant}") from the one sent ("?${query}").`,
        build({ url: `${parts.origin}${path}?${variant}` }),
      )
  }

  // #6 the same instant in another date form.
  if (parts.instant !== undefined) {
    const z = formatIsoSeconds(parts.instant)
    const base = z.slice(0, 19)
    for (const form of [z, `${base}+00:00`, `${base}+0000`, `${base}.000Z`, `${base}`])
      if (form !== parts.date)
        add(
          'date-not-signed-verbatim',
          `The client signed the date as "${form}" but sent "${parts.date}".`,
          build({ date: form }),
        )
  }

  // #7 and #9 the content type.
  const ct = parts.contentType
  if (parts.body.byteLength > 0) {
    add(
      'content-type-not-signed',
      'The client signed neither Content-Type nor body (a POST signs both).',
      build({ body: undefined }),
    )
    add(
      'content-type-not-signed',
      'The client signed the body without the Content-Type.',
      build({}, { contentType: false }),
    )
    if (ct !== undefined) {
      const bare = ct.replace(/;\s*charset=[^;]*/i, '')
      if (bare !== ct)
        add(
          'content-type-not-signed',
          `The client signed the Content-Type "${bare}"; "${ct}" was sent (charset added after signing).`,
          build({ contentType: bare }),
        )
      else if (!/charset=/i.test(ct))
        for (const charset of ['; charset=utf-8', '; charset=UTF-8', ';charset=UTF-8'])
          add(
            'content-type-not-signed',
            `The client signed the Content-Type "${ct}${charset}"; "${ct}" was sent.`,
            build({ contentType: `${ct}${charset}` }),
          )
      const first = /^--([^\r\n]+)\r?\n/.exec(Buffer.from(parts.body.subarray(0, 200)).toString('latin1'))
      const boundary = first?.[1]
      const signedBoundary = /boundary=("?)([^";]+)\1/.exec(ct)?.[2]
      if (boundary !== undefined && signedBoundary !== undefined && boundary !== signedBoundary)
        add(
          'content-type-not-signed',
          `The Content-Type sent names boundary "${signedBoundary}" but the body uses "${boundary}": the client signed "${ct.replace(signedBoundary, boundary)}".`,
          build({ contentType: ct.replace(signedBoundary, boundary) }),
        )
    }
  } else if (ct !== undefined) {
    add(
      'content-type-not-signed',
      `The client signed the Content-Type "${ct}" on a request without a body; GET and DELETE sign none.`,
      build({}, { contentType: true }),
    )
  }

  // #8 the body changed after signing.
  if (parts.body.byteLength > 0) {
    const text = Buffer.from(parts.body)
    const variants: Array<[string, Uint8Array]> = []
    if (text.subarray(-2).toString('latin1') === '\r\n')
      variants.push(['without its trailing CRLF', text.subarray(0, -2)])
    else variants.push(['with a trailing CRLF', Buffer.concat([text, Buffer.from('\r\n')])])
    if (text.subarray(-1).toString('latin1') === '\n')
      variants.push(['without its trailing newline', text.subarray(0, -1)])
    else variants.push(['with a trailing newline', Buffer.concat([text, Buffer.from('\n')])])
    let json: unknown
    try {
      json = JSON.parse(text.toString('utf8'))
    } catch {}
    if (json !== undefined)
      for (const [how, indent] of [
        ['minified', undefined],
        ['pretty-printed with 2 spaces', 2],
        ['pretty-printed with 4 spaces', 4],
        ['pretty-printed with tabs', '\t'],
      ] as const)
        variants.push([`as JSON ${how}`, Buffer.from(JSON.stringify(json, null, indent))])
    for (const [how, bytes] of variants)
      if (!Buffer.from(bytes).equals(text))
        add(
          'signed-body-differs',
          `The client signed the body ${how}, not the bytes sent.`,
          build({ body: bytes, contentType: ct ?? '' }),
        )
    add(
      'signed-body-differs',
      'The client signed the Content-Type but not the body.',
      build({}, { body: false }),
    )
  }
  return out
}

/**
 * Keys a client may have used instead of the base64-decoded secret (§5 #1 and #13): the secret's own
 * text, and the decoded bytes after passing through a text-only interface.
 */
export function keyVariants(
  secret: string,
  decoded: Uint8Array,
): Array<{ message: string; key: Uint8Array }> {
  const bytes = Buffer.from(decoded)
  const out: Array<{ message: string; key: Uint8Array }> = [
    {
      message: 'The client keyed the HMAC with the secret text itself, not its base64-decoded bytes.',
      key: Buffer.from(secret, 'utf8'),
    },
  ]
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    out.push({
      message:
        'The client keyed the HMAC with the decoded secret cut at its first NUL byte (it went through a C string or shell variable).',
      key: bytes.subarray(0, nul),
    })
    out.push({
      message:
        'The client keyed the HMAC with the decoded secret with its NUL bytes removed (it went through a shell variable).',
      key: Buffer.from(bytes.filter((b) => b !== 0)),
    })
  }
  let end = bytes.length
  while (end > 0 && bytes[end - 1] === 0x0a) end--
  if (end !== bytes.length)
    out.push({
      message:
        'The client keyed the HMAC with the decoded secret without its trailing newline bytes (shell command substitution strips them).',
      key: bytes.subarray(0, end),
    })
  const text = bytes.toString('utf8')
  if (Buffer.from(text, 'utf8').length !== bytes.length)
    out.push({
      message: 'The client keyed the HMAC with the decoded secret re-encoded as UTF-8 text.',
      key: Buffer.from(text, 'utf8'),
    })
  return out
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
