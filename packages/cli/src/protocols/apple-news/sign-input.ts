import { APPLE_NEWS_API_ORIGIN, type AppleNewsCanonicalInput } from '@sigwire/apple-news'
import { formatIsoSeconds, parseIsoDateTime } from '@sigwire/core'
import { cliError } from '../../output/errors.js'

/** What `sigwire sign apple-news` was asked to sign. */
export interface AppleNewsSignOptions {
  readonly method: string
  readonly url: string
  readonly date?: string | undefined
  readonly contentType?: string | undefined
}

/** The canonical input to sign, and remarks about it (never errors; the service would accept it). */
export interface AppleNewsSignInput {
  readonly input: AppleNewsCanonicalInput
  readonly notes: readonly string[]
}

const FULL_URL = /^https?:\/\/[^/?#\s]+(?:[/?][^#\s]*)?$/i
const APPLE_HOST = new URL(APPLE_NEWS_API_ORIGIN).host
const DOCUMENTED_METHODS = new Set(['GET', 'POST', 'DELETE'])

/**
 * Checks the options of `sign apple-news` and builds what HHMAC signs: the method in capitals, the URL
 * exactly as given (Apple signs the full URL, scheme and query included, without re-encoding), the date
 * string exactly as it will appear in `date=`, and with a body its exact Content-Type and bytes.
 */
export function appleNewsSignInput(
  options: AppleNewsSignOptions,
  body: Uint8Array | undefined,
  now: Date,
): AppleNewsSignInput {
  const notes: string[] = []
  const method = options.method.toUpperCase()
  if (!/^[A-Z]+$/.test(method))
    throw cliError('INVALID_METHOD', `--method ${JSON.stringify(options.method)} is not an HTTP method.`)
  if (!DOCUMENTED_METHODS.has(method))
    notes.push(`the Apple News API documents GET, POST and DELETE, not ${method}`)

  if (!FULL_URL.test(options.url)) {
    const shown = JSON.stringify(options.url.slice(0, 80))
    throw cliError(
      'INVALID_URL',
      /^https?:\/\//i.test(options.url)
        ? `--url ${shown} cannot be sent as is (whitespace or a #fragment); percent-encode it as the client sends it.`
        : `--url ${shown} must be the full URL with its scheme, like https://news-api.apple.com/channels/<id>: Apple signs "https://" too.`,
    )
  }
  const host = /^https?:\/\/([^/?]+)/i.exec(options.url)![1]!.toLowerCase()
  if (host.startsWith(`${APPLE_HOST}:`))
    notes.push(
      `Apple rebuilds the URL without a port (${APPLE_NEWS_API_ORIGIN}); this signature will not verify`,
    )

  const date = options.date ?? formatIsoSeconds(now)
  // Throws INVALID_DATE (exit 2) for anything Apple answers INVALID_DATE_FORMAT to.
  const { zone } = parseIsoDateTime(date)
  if (zone !== 'Z')
    notes.push(`date-offset-form: Apple accepts ${date} signed as sent, but documents the "Z" form`)

  const hasBody = body !== undefined && body.byteLength > 0
  if (hasBody && options.contentType === undefined)
    throw cliError(
      'MISSING_OPTION',
      'A request with a body signs its exact Content-Type header value: pass --content-type (boundary included for multipart).',
    )
  if (!hasBody && options.contentType !== undefined)
    notes.push('no body: the Content-Type is not signed (Apple signs it only with a body)')
  if (hasBody && (method === 'GET' || method === 'DELETE'))
    notes.push(`a ${method} with a body: Apple's ${method} requests carry no body`)

  return {
    input: {
      method,
      url: options.url,
      date,
      contentType: hasBody ? options.contentType : undefined,
      body: hasBody ? body : undefined,
    },
    notes,
  }
}
