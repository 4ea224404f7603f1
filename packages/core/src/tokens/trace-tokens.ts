import { toHex } from '../encoding/hex.js'
import { utf8Decode } from '../encoding/utf8.js'
import { isBytesToken, type Token, type TokenTrace } from './token.js'

/** How {@link traceTokens} shows tokens. */
export interface TraceOptions {
  /** Text shown for a secret token. Default `{secret}`. */
  secretText?: string
  /** Hex shown for a secret token. Default `00000000000`, the mask of Safe Creative's signature analysis. */
  secretHex?: string
  /** Longest token shown in full, in bytes; longer ones are cut and marked `truncated`. Default 4096. */
  maxBytes?: number
}

/** Default mask for secret text in traces. */
export const SECRET_TEXT_MASK = '{secret}'
/** Default mask for secret hex in traces (Safe Creative prints eleven zeros; docs/protocols/safe-creative.md §5.1). */
export const SECRET_HEX_MASK = '00000000000'

/**
 * One entry per token, in order: label, text, UTF-8 hex and byte offset, with secret tokens masked
 * (the shape of Safe Creative's `signature.analysis`). Safe to log: no secret survives.
 */
export function traceTokens(tokens: readonly Token[], options: TraceOptions = {}): TokenTrace[] {
  const maxBytes = options.maxBytes ?? 4096
  const out: TokenTrace[] = []
  let offset = 0
  tokens.forEach((token, order) => {
    if (token.secret) {
      out.push({
        order,
        label: token.label,
        text: options.secretText ?? SECRET_TEXT_MASK,
        hex: options.secretHex ?? SECRET_HEX_MASK,
        offset,
        byteLength: 0,
        secret: true,
      })
      offset += isBytesToken(token) ? token.bytes.byteLength : 0
      return
    }
    if (!isBytesToken(token)) {
      const length = token.stream.byteLength
      out.push({
        order,
        label: token.label,
        text: `<${length} bytes, streamed>`,
        hex: '',
        offset,
        byteLength: length,
        secret: false,
        truncated: true,
      })
      offset += length
      return
    }
    const bytes = token.bytes
    const truncated = bytes.byteLength > maxBytes
    const shown = truncated ? bytes.subarray(0, maxBytes) : bytes
    out.push({
      order,
      label: token.label,
      text: utf8Decode(shown),
      hex: toHex(shown),
      offset,
      byteLength: bytes.byteLength,
      secret: false,
      ...(truncated ? { truncated: true } : {}),
    })
    offset += bytes.byteLength
  })
  return out
}

/** A trace as a fixed-width table, one token per line (for terminals and error messages). */
export function formatTrace(trace: readonly TokenTrace[]): string {
  const labelWidth = Math.max(5, ...trace.map((t) => t.label.length))
  const lines = [`${'#'.padStart(3)}  ${'token'.padEnd(labelWidth)}  ${'offset'.padStart(6)}  text / hex`]
  for (const t of trace) {
    const text = JSON.stringify(t.text)
    lines.push(
      `${String(t.order).padStart(3)}  ${t.label.padEnd(labelWidth)}  ${String(t.offset).padStart(6)}  ${text}`,
    )
    if (t.hex) lines.push(`${' '.repeat(3 + 2 + labelWidth + 2 + 6)}  ${t.hex}${t.truncated ? '…' : ''}`)
  }
  return lines.join('\n')
}
