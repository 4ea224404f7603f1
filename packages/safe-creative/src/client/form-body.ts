import { bytesBody, type OwnedBody, percentEncode, textBody } from '@sigwire/core'
import type { ParamPair } from '../signing/params.js'

/** Values at least this long (upload chunks: 68 KiB of base64) are percent-encoded straight into the body bytes. */
const LONG_VALUE = 4096

const encoder = new TextEncoder()
const HEX = '0123456789ABCDEF'

/**
 * An `application/x-www-form-urlencoded` body of `pairs`: the UTF-8 bytes of core's
 * `formatQueryPairs(pairs)`, byte for byte (parts with `percentEncode`, joined with `&`). Long ASCII values are escaped straight into the body's
 * bytes, so a 50 KiB upload chunk does not become three more ~70 KB strings (escaped value, joined
 * text, then its bytes) on every call.
 */
export function formBody(pairs: readonly ParamPair[]): OwnedBody {
  // Short parts as text (core's percentEncode); long ASCII values are counted here and written below.
  const parts: string[] = []
  let long = false
  let total = 0
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i]!
    const head = `${i === 0 ? '' : '&'}${percentEncode(name)}=`
    const direct = value.length >= LONG_VALUE && isAscii(value)
    const text = direct ? '' : percentEncode(value)
    if (direct) long = true
    parts.push(head, text)
    total += head.length + (direct ? escapedLength(value) : text.length)
  }
  if (!long) return textBody(parts.join(''))
  const bytes = new Uint8Array(total)
  let at = 0
  for (let i = 0; i < pairs.length; i++) {
    at += encoder.encodeInto(parts[2 * i]!, bytes.subarray(at)).written
    const text = parts[2 * i + 1]!
    const value = pairs[i]![1]
    if (text === '' && value !== '') at = escapeInto(value, bytes, at)
    else at += encoder.encodeInto(text, bytes.subarray(at)).written
  }
  return bytesBody(at === total ? bytes : bytes.subarray(0, at))
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

/** Unreserved in core's percentEncode: A-Z a-z 0-9 - . _ ~ (RFC 3986). */
function unreserved(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x7e
  )
}

function escapedLength(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) n += unreserved(text.charCodeAt(i)) ? 1 : 3
  return n
}

function escapeInto(text: string, out: Uint8Array, start: number): number {
  let at = start
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (unreserved(c)) out[at++] = c
    else {
      out[at++] = 0x25
      out[at++] = HEX.charCodeAt(c >> 4)
      out[at++] = HEX.charCodeAt(c & 15)
    }
  }
  return at
}
