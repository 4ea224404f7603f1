import { uiError } from './errors.js'

/** The protocols the doctor page diagnoses (those `sigwire doctor` takes a request for). */
export type UiDoctorProtocol = 'cloudkit' | 'apple-news' | 'safe-creative'

/** What the doctor page sends: a request as pasted, and the key to check it with. */
export interface UiDoctorInput {
  /** Which service's doctor. */
  readonly protocol: UiDoctorProtocol
  /** How the request is written: a curl command, a HAR document or a raw HTTP/1.1 request. */
  readonly format: 'curl' | 'har' | 'raw'
  /** The request. */
  readonly text: string
  /**
   * The key to check against: CloudKit's registered public key (PEM), Apple News' secret, Safe
   * Creative's private key. Used for this diagnosis only; never stored or logged.
   */
  readonly key?: string
  /** The string the client says it signed, when known. */
  readonly signed?: string
}

/** What the doctor page shows: `sigwire doctor --json`'s report, or its error. */
export interface UiDoctorReport {
  /** The doctor's JSON report (`ok`, `findings`, `firstDifference`), when it ran. */
  readonly report?: unknown
  /** `sigwire: CODE: message` when the input could not be used. */
  readonly error?: {
    /** The CLI's error code (`USAGE`, `INVALID_URL`, ...). */
    readonly code: string
    /** What to change. */
    readonly message: string
  }
}

/** Runs `sigwire doctor` on a pasted request (supplied by `sigwire emulate`, which owns the parsers). */
export type UiDoctor = (input: UiDoctorInput) => Promise<UiDoctorReport>

const PROTOCOLS: readonly UiDoctorProtocol[] = ['cloudkit', 'apple-news', 'safe-creative']
const FORMATS = ['curl', 'har', 'raw'] as const
const MAX_TEXT = 4 * 1024 * 1024

/** Checks the page's doctor request; throws `INVALID_ARGUMENT` naming the field. */
export function doctorInput(body: Readonly<Record<string, unknown>>): UiDoctorInput {
  const { protocol, format, text, key, signed } = body
  if (!PROTOCOLS.includes(protocol as UiDoctorProtocol))
    throw uiError('INVALID_ARGUMENT', `protocol must be one of ${PROTOCOLS.join(', ')}.`)
  if (!FORMATS.includes(format as (typeof FORMATS)[number]))
    throw uiError('INVALID_ARGUMENT', `format must be one of ${FORMATS.join(', ')}.`)
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT)
    throw uiError('INVALID_ARGUMENT', 'text must be the request, pasted (up to 4 MiB).')
  for (const [name, value] of [
    ['key', key],
    ['signed', signed],
  ] as const)
    if (value !== undefined && typeof value !== 'string')
      throw uiError('INVALID_ARGUMENT', `${name} must be text.`)
  return {
    protocol: protocol as UiDoctorProtocol,
    format: format as UiDoctorInput['format'],
    text,
    ...(typeof key === 'string' && key !== '' ? { key } : {}),
    ...(typeof signed === 'string' && signed !== '' ? { signed } : {}),
  }
}
