import { isBase64, parseIsoDateTime, parseIsoSeconds, sha256, toBase64, toHex } from '@sigwire/core'
import { EMPTY_BODY_HASH } from '../constants.js'
import { bodyVariants } from './body-variants.js'
import { claimedFields } from './claimed-string.js'
import { type CloudKitFinding, finding } from './findings.js'

/** What the claimed string is compared with. */
export interface ClaimContext {
  readonly method: string
  /** The date header as received. */
  readonly date: string | undefined
  readonly target: string
  readonly body: Uint8Array
  readonly bodyKnown: boolean
}

/**
 * Reads a client's claimed string-to-sign field by field and names every mistake in it: the layout
 * (method added, fields out of order), the date's form, the hash field's encoding and what it hashes,
 * and the target's form (scheme and host, missing query). Needs no key or signature.
 */
export function analyzeClaimedString(claimed: string, ctx: ClaimContext): CloudKitFinding[] {
  const out: CloudKitFinding[] = []
  const fields = claimedFields(claimed)
  const kinds = fields.map((f) => f.kind)
  const method = fields.find((f) => f.kind === 'method')
  if (method)
    out.push(
      finding(
        'method-in-message',
        `The client's string-to-sign contains the HTTP method ${JSON.stringify(method.text)} as field ${kinds.indexOf('method') + 1}.`,
      ),
    )
  const rest = kinds.filter((k) => k !== 'method')
  if (rest.join(':') !== 'date:hash:target')
    out.push(
      finding(
        'wrong-token-order',
        `The client's string-to-sign has the fields ${kinds.join(':')}; CloudKit signs exactly date:hash:target.`,
      ),
    )
  const date = fields.find((f) => f.kind === 'date')
  if (date) out.push(...dateField(date.text, ctx))
  const hash = fields.find((f) => f.kind === 'hash')
  if (hash) out.push(...hashField(hash.text, ctx))
  const target = fields.find((f) => f.kind === 'target')
  if (target) out.push(...targetField(target.text, ctx))
  return out
}

function dateField(text: string, ctx: ClaimContext): CloudKitFinding[] {
  const out: CloudKitFinding[] = []
  try {
    parseIsoSeconds(text)
  } catch (error) {
    const problem = (error as { details?: { problem?: string } }).details?.problem
    if (problem === 'fraction')
      out.push(
        finding(
          'date-has-milliseconds',
          `The client signed the date ${JSON.stringify(text)}, with milliseconds.`,
        ),
      )
    else
      out.push(
        finding(
          'date-not-utc',
          `The client signed the date ${JSON.stringify(text)}, not UTC as YYYY-MM-DDTHH:MM:SSZ.`,
        ),
      )
  }
  if (ctx.date !== undefined && text !== ctx.date) {
    const signed = instant(text)
    const sent = instant(ctx.date)
    if (signed !== undefined && sent !== undefined && Math.abs(signed - sent) >= 1000)
      out.push(
        finding(
          'clock-skew',
          `The client signed ${text} but sent ${ctx.date} in the header (${Math.round(Math.abs(signed - sent) / 1000)} s apart): format the date once and use the same string in both.`,
        ),
      )
  }
  return out
}

function hashField(text: string, ctx: ClaimContext): CloudKitFinding[] {
  const out: CloudKitFinding[] = []
  const digest = sha256(ctx.body)
  const correct = ctx.body.byteLength === 0 ? EMPTY_BODY_HASH : toBase64(digest)
  if (text === correct) return out
  let hexText: string | undefined
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    hexText = text.toLowerCase()
    out.push(
      finding(
        'hash-hex-not-base64',
        `The body-hash field is a hex digest (${text.slice(0, 16)}...), not base64.`,
      ),
    )
  } else if (isBase64(text)) {
    const decoded = Buffer.from(text, 'base64')
    const ascii = decoded.toString('latin1')
    if (decoded.byteLength === 64 && /^[0-9a-fA-F]{64}$/.test(ascii)) {
      hexText = ascii.toLowerCase()
      out.push(
        finding(
          'hash-hex-not-base64',
          `The body-hash field is base64 of the hex digest text: it decodes to "${ascii}" (64 characters) instead of 32 raw bytes.`,
        ),
      )
    } else if (decoded.byteLength === 32 && ctx.bodyKnown) {
      out.push(
        finding(
          'signed-body-differs',
          `The body-hash field ${text} is the SHA-256 of other bytes than the body sent (${correct}); ${explainHash(decoded, ctx.body)}.`,
        ),
      )
    }
  }
  if (text === '' && ctx.bodyKnown)
    out.push(
      finding(
        'signed-body-differs',
        ctx.body.byteLength === 0
          ? `The body-hash field is empty; CloudKit hashes zero bytes for a bodyless request (${EMPTY_BODY_HASH}).`
          : 'The body-hash field is empty although a body was sent.',
      ),
    )
  else if (hexText !== undefined && ctx.bodyKnown && hexText !== toHex(digest))
    out.push(
      finding(
        'signed-body-differs',
        `The hex digest in the hash field is not the SHA-256 of the body sent; ${explainHash(Buffer.from(hexText, 'hex'), ctx.body)}.`,
      ),
    )
  else if (out.length === 0 && ctx.bodyKnown)
    out.push(
      finding(
        'signed-body-differs',
        `The body-hash field ${JSON.stringify(text.slice(0, 60))} is not base64 SHA-256 of the body sent (${correct}).`,
      ),
    )
  return out
}

function explainHash(digest: Uint8Array, body: Uint8Array): string {
  const wanted = Buffer.from(digest).toString('hex')
  const match = bodyVariants(body).find((v) => toHex(sha256(v.bytes)) === wanted)
  return match
    ? `it matches: the client ${match.description}`
    : 'no known transformation of the body reproduces it'
}

function targetField(text: string, ctx: ClaimContext): CloudKitFinding[] {
  const out: CloudKitFinding[] = []
  let rest = text
  const host = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]*|[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?)(?=\/|$)/i.exec(text)
  if (host) {
    rest = text.slice(host[0].length)
    out.push(
      finding(
        'host-in-subpath',
        `The client signed ${JSON.stringify(host[0])} in front of the request-target.`,
      ),
    )
  }
  if (rest === ctx.target) return out
  const [sentPath, sentQuery] = splitTarget(ctx.target)
  const [signedPath, signedQuery] = splitTarget(rest)
  if (signedPath === sentPath && signedQuery !== sentQuery)
    out.push(
      finding(
        'query-not-signed',
        signedQuery === undefined
          ? `The client signed the path without the query string "?${sentQuery}" that was sent.`
          : `The client signed the query "?${signedQuery}" but sent "?${sentQuery ?? ''}".`,
      ),
    )
  return out
}

function splitTarget(target: string): [string, string | undefined] {
  const q = target.indexOf('?')
  return q === -1 ? [target, undefined] : [target.slice(0, q), target.slice(q + 1)]
}

function instant(text: string): number | undefined {
  try {
    return parseIsoDateTime(text, { allowFraction: true }).date.getTime()
  } catch {
    return undefined
  }
}
