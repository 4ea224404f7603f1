import { type BytesToken, bytesToken, utf8Encode } from '@sigwire/core'

/**
 * Splits the string a client says it signed into tokens lined up with the expected ones, so
 * `diffTokens` names the first token that differs. While the claimed string follows the expected
 * tokens byte for byte they are taken as they are (values may contain "&" or "="); from the first
 * difference on, it is split at "&" and "=" the way Safe Creative's analysis splits it. The first
 * segment (the private key) is always secret.
 */
export function tokenizeClaimedString(claimed: string, expected: readonly BytesToken[]): BytesToken[] {
  const bytes = utf8Encode(claimed)
  const out: BytesToken[] = []
  let offset = 0
  for (const token of expected) {
    const length = token.bytes.byteLength
    if (offset + length > bytes.byteLength || !startsWith(bytes, offset, token.bytes)) break
    out.push(
      bytesToken(token.label, bytes.subarray(offset, offset + length), { secret: token.secret === true }),
    )
    offset += length
  }
  // The rest, split at the delimiters: key? ("&" name "=" value)*
  let expectName = out.length === 0 ? 'key' : nextKind(out[out.length - 1]!.label)
  let start = offset
  const push = (end: number, label: string, secret = false) => {
    out.push(bytesToken(label, bytes.subarray(start, end), { secret }))
    start = end
  }
  for (let i = offset; i <= bytes.byteLength; i++) {
    const b = bytes[i]
    const atEnd = i === bytes.byteLength
    if (expectName === 'key') {
      if (atEnd || b === 0x26) {
        if (i > start) push(i, 'private-key', true)
        if (!atEnd) {
          push(i + 1, '&')
          expectName = 'name'
        }
      }
    } else if (expectName === 'name') {
      if (atEnd || b === 0x3d || b === 0x26) {
        if (i > start) push(i, labelAt(expected, out.length, 'name'))
        if (!atEnd) {
          push(i + 1, b === 0x3d ? '=' : '&')
          expectName = b === 0x3d ? 'value' : 'name'
        }
      }
    } else if (atEnd || b === 0x26) {
      if (i > start || atEnd) {
        if (i > start) push(i, labelAt(expected, out.length, 'value'))
      }
      if (!atEnd) {
        push(i + 1, '&')
        expectName = 'name'
      }
    }
  }
  return out
}

function nextKind(label: string): 'key' | 'name' | 'value' {
  if (label === '=') return 'value'
  if (label.startsWith('name:')) return 'name' // a name was fully matched; "=" comes next (parsed as name end)
  if (label.startsWith('value:')) return 'value'
  return 'name' // after "&" or the private key
}

function labelAt(expected: readonly BytesToken[], index: number, kind: 'name' | 'value'): string {
  const label = expected[index]?.label
  return label?.startsWith(`${kind}:`) ? label : kind
}

function startsWith(bytes: Uint8Array, offset: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.byteLength; i++) if (bytes[offset + i] !== prefix[i]) return false
  return true
}
