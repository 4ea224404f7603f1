import { utf8Encode } from '../encoding/utf8.js'

/** Anything that can be read, more than once, as a sequence of byte chunks of known total length. */
export interface ByteSource {
  /** Total length in bytes. */
  readonly byteLength: number
  /** A fresh pass over the bytes. */
  chunks(): AsyncIterable<Uint8Array>
}

/**
 * One labelled piece of a string-to-sign. Every protocol's string-to-sign is an ordered list of these;
 * the same list is rendered for signing, rebuilt for verifying, diffed by the doctor and traced.
 */
export type Token = BytesToken | StreamToken

/** A token held in memory. */
export interface BytesToken {
  /** What the token is (`date`, `body-hash`, `request-target`, `&`, a parameter name...). */
  readonly label: string
  /** The exact bytes the token contributes. */
  readonly bytes: Uint8Array
  /** Secret tokens (a private key) are masked in traces and diffs. */
  readonly secret?: boolean
}

/**
 * A token too large to hold (a multi-gigabyte body): its bytes are streamed into the digest.
 * Streamed tokens are never secret.
 */
export interface StreamToken {
  /** What the token is. */
  readonly label: string
  /** Where the bytes come from. */
  readonly stream: ByteSource
  /** Always absent or `false`: a streamed token is a body, never a key (traces show its length only). */
  readonly secret?: false
}

/** A token whose bytes are the UTF-8 encoding of `text`. */
export function textToken(label: string, text: string, options: { secret?: boolean } = {}): BytesToken {
  return options.secret
    ? { label, bytes: utf8Encode(text), secret: true }
    : { label, bytes: utf8Encode(text) }
}

/** A token of raw bytes (not copied: do not mutate `bytes` afterwards). */
export function bytesToken(label: string, bytes: Uint8Array, options: { secret?: boolean } = {}): BytesToken {
  return options.secret ? { label, bytes, secret: true } : { label, bytes }
}

/** A token streamed from `source` when digested. */
export function streamToken(label: string, source: ByteSource): StreamToken {
  return { label, stream: source }
}

/** True when the token is held in memory. */
export function isBytesToken(token: Token): token is BytesToken {
  return 'bytes' in token
}

/** Total length of the rendered tokens in bytes. */
export function tokensByteLength(tokens: readonly Token[]): number {
  let total = 0
  for (const token of tokens) total += isBytesToken(token) ? token.bytes.byteLength : token.stream.byteLength
  return total
}

/** One token as shown in traces: label, text, UTF-8 hex, with secrets masked. */
export interface TokenTrace {
  /** Position in the list, from 0. */
  readonly order: number
  /** The token's label. */
  readonly label: string
  /** The token as text (invalid UTF-8 shown as U+FFFD), or the mask for secrets. */
  readonly text: string
  /** Lower-case hex of the token's bytes, or the mask for secrets. */
  readonly hex: string
  /** Byte offset of the token in the rendered string. */
  readonly offset: number
  /** Length of the token in bytes (0 shown for secrets, so a trace does not reveal a key's length). */
  readonly byteLength: number
  /** True for masked tokens. */
  readonly secret: boolean
  /** True when text and hex were cut at the trace's `maxBytes`. */
  readonly truncated?: boolean
}
