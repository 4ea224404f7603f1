import { createHash, createHmac, type KeyObject } from 'node:crypto'
import type { HashAlgorithm } from '../digest/digest.js'
import { utf8Decode } from '../encoding/utf8.js'
import { invalidArgument } from '../errors/invalid-argument.js'
import { type BytesToken, isBytesToken, type Token } from './token.js'

/**
 * Concatenates in-memory tokens into the exact bytes to sign. Throws `INVALID_ARGUMENT` if a streamed
 * token is present; digest those with {@link digestTokens}.
 */
export function renderTokens(tokens: readonly Token[]): Uint8Array {
  let total = 0
  for (const token of tokens) {
    if (!isBytesToken(token)) {
      throw invalidArgument(
        `Token "${token.label}" is streamed; use digestTokens() instead of renderTokens().`,
      )
    }
    total += token.bytes.byteLength
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const token of tokens as readonly BytesToken[]) {
    out.set(token.bytes, offset)
    offset += token.bytes.byteLength
  }
  return out
}

/** The rendered tokens as a string (for protocols whose string-to-sign is text). */
export function renderTokensToString(tokens: readonly Token[]): string {
  return utf8Decode(renderTokens(tokens))
}

/** What to digest the tokens with: a plain hash, or an HMAC with a key parsed once. */
export type TokenDigest =
  | {
      /** The hash to digest the tokens with (Safe Creative's signature is the `sha1` of its tokens). */
      hash: HashAlgorithm
    }
  | {
      /** HMAC-SHA256, the only keyed digest a sigwire protocol uses (Apple News). */
      hmac: 'sha256'
      /** The HMAC key: raw secret bytes, or a `KeyObject` made once so the secret is not copied per call. */
      key: Uint8Array | KeyObject
    }

/**
 * Digests the tokens in order, streaming any streamed token, in constant memory. This is how a body of
 * any size becomes part of a signature without being held in memory.
 */
export async function digestTokens(tokens: readonly Token[], how: TokenDigest): Promise<Uint8Array> {
  const hasher = 'hash' in how ? createHash(how.hash) : createHmac(how.hmac, how.key)
  for (const token of tokens) {
    if (isBytesToken(token)) hasher.update(token.bytes)
    else for await (const chunk of token.stream.chunks()) hasher.update(chunk)
  }
  return hasher.digest()
}

/** Synchronous {@link digestTokens} for in-memory tokens; the hot path of every signer. */
export function digestTokensSync(tokens: readonly Token[], how: TokenDigest): Uint8Array {
  const hasher = 'hash' in how ? createHash(how.hash) : createHmac(how.hmac, how.key)
  for (const token of tokens) {
    if (!isBytesToken(token)) {
      throw invalidArgument(
        `Token "${token.label}" is streamed; use digestTokens() instead of digestTokensSync().`,
      )
    }
    hasher.update(token.bytes)
  }
  return hasher.digest()
}
