import { hash } from 'node:crypto'
import { type BytesToken, digestTokensSync, textToken, toHex } from '@sigwire/core'
import { EXCLUDED_PARAMS } from '../constants.js'
import { safeCreativeError } from '../errors.js'
import type { ParamPair } from './params.js'

/**
 * THE Safe Creative string to sign (docs/protocols/safe-creative.md §2.1), the only place it is built:
 *
 *     privateKey & name=value & name=value ...
 *
 * parameters sorted by name, values as decoded text (never URL-encoded), `signature` and
 * `debug-component` left out. As tokens it is exactly the list Safe Creative's `signature.analysis`
 * prints: private key (secret), "&", name, "=", value, "&", name, ...
 *
 * The signer, the verifier, the doctor, `signature.analysis` and traces all build it here: the rendered
 * string is hashed, the tokens are derived from the same pairs on demand (they cost more than the hash;
 * `pnpm bench --only=signing-safe-creative`). The variant options exist for `sigwire doctor`, which
 * rebuilds the string the way a client got it wrong (§6); signing and verifying use the defaults.
 */
export interface StringToSignVariant {
  /** `sorted` (the protocol) or `as-given` (a client that forgot to sort). Default `sorted`. */
  readonly order?: 'sorted' | 'as-given'
  /**
   * `prefix` (the protocol), `prefix-no-separator` (missing "&"), `suffix` (key appended), `none` (the
   * pairs alone, as an HMAC keyed with the private key would take them). Default `prefix`.
   */
  readonly key?: 'prefix' | 'prefix-no-separator' | 'suffix' | 'none'
  /** Keep `signature`/`debug-component` in the string (a client that signed them). Default false. */
  readonly keepExcluded?: boolean
}

/**
 * Parameter order: by name, comparing UTF-16 code units. Safe Creative's server and SDK are Java
 * (`Collections.sort` over `String.compareTo`, §2.2), which compares UTF-16 code units; for the ASCII
 * names the API uses this equals byte order. The sort is stable, so equal names keep their order.
 */
export function compareParamNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A built string to sign. The private key stays inside: JSON and `toString` never show it. */
export class SafeCreativeStringToSign {
  /** The parameters that are signed, in signing order. */
  readonly pairs: readonly ParamPair[]
  readonly #privateKey: string
  readonly #key: NonNullable<StringToSignVariant['key']>

  /** @internal Use {@link buildStringToSign}. */
  constructor(privateKey: string, pairs: readonly ParamPair[], key: NonNullable<StringToSignVariant['key']>) {
    this.#privateKey = privateKey
    this.pairs = pairs
    this.#key = key
  }

  /** The string to sign, private key in clear. Hash it; never log it. */
  render(): string {
    const pairs = this.pairs
    if (this.#key === 'prefix') {
      let text = this.#privateKey
      for (let i = 0; i < pairs.length; i++) {
        const pair = pairs[i]!
        text += `&${pair[0]}=${pair[1]}`
      }
      return text
    }
    let body = ''
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!
      body += i === 0 ? `${pair[0]}=${pair[1]}` : `&${pair[0]}=${pair[1]}`
    }
    if (this.#key === 'none') return body
    if (this.#key === 'suffix') return pairs.length === 0 ? this.#privateKey : `${body}&${this.#privateKey}`
    return this.#privateKey + body
  }

  /**
   * The same string as tokens, in Safe Creative's `signature.analysis` order. Labels: `private-key`
   * (secret), `&`, `=`, `name:<param>` and `value:<param>`, so a diff names the parameter.
   */
  tokens(): BytesToken[] {
    const tokens: BytesToken[] = []
    const key = textToken('private-key', this.#privateKey, { secret: true })
    if (this.#key !== 'suffix' && this.#key !== 'none') tokens.push(key)
    this.pairs.forEach(([name, value], i) => {
      if (i > 0 || this.#key === 'prefix') tokens.push(textToken('&', '&'))
      tokens.push(textToken(`name:${name}`, name), textToken('=', '='), textToken(`value:${name}`, value))
    })
    if (this.#key === 'suffix') {
      if (this.pairs.length > 0) tokens.push(textToken('&', '&'))
      tokens.push(key)
    }
    return tokens
  }

  /** Lower-case hex SHA-1 of the UTF-8 bytes of {@link render}: the `signature` parameter (§2.1). */
  signature(): string {
    // One-shot crypto.hash straight to hex (Node.js 20.12+): no Hash object, no Buffer and back to hex.
    // For strings this short both cost more than the SHA-1 itself (`pnpm bench --only=signing-safe-creative`).
    return hash('sha1', this.render(), 'hex')
  }

  /** The SHA-1 digest computed token by token (equal to {@link signature}; used by tests to tie both views). */
  tokenDigestHex(): string {
    return toHex(digestTokensSync(this.tokens(), { hash: 'sha1' }))
  }

  /** Masked form for logs. */
  toString(): string {
    return `SafeCreativeStringToSign(${this.pairs.length} parameters)`
  }

  /** Masked form for JSON. */
  toJSON(): {
    /** The signed parameters in signing order, as {@link SafeCreativeStringToSign.pairs}; no private key. */
    pairs: readonly ParamPair[]
  } {
    return { pairs: this.pairs }
  }
}

/**
 * Builds the string to sign from decoded parameters and the private key that signs them: `signature`
 * and `debug-component` left out, the rest sorted by name (`compareParamNames`, stable).
 * Throws `EMPTY_PRIVATE_KEY` for a missing key and `INVALID_ARGUMENT` for non-string pairs.
 */
export function buildStringToSign(
  privateKey: string,
  params: readonly ParamPair[],
  variant: StringToSignVariant = {},
): SafeCreativeStringToSign {
  if (typeof privateKey !== 'string' || privateKey.length === 0)
    throw safeCreativeError(
      'EMPTY_PRIVATE_KEY',
      'The private key is empty. Pass the private key Safe Creative gave with the sharedkey (application) or with the authkey (authkey.create).',
    )
  const keep = variant.keepExcluded === true
  const sorted = (variant.order ?? 'sorted') === 'sorted'
  // Short lists (every real request) are sorted by insertion as they are copied.
  const insert = sorted && params.length <= 32
  const pairs: ParamPair[] = []
  for (let i = 0; i < params.length; i++) {
    const pair = params[i]!
    const name = pair[0]
    if (typeof name !== 'string' || typeof pair[1] !== 'string')
      throw safeCreativeError('INVALID_ARGUMENT', 'Every parameter must be a [name, value] pair of strings.')
    if (!keep && EXCLUDED_PARAMS.has(name)) continue
    if (insert) insertSorted(pairs, pair)
    else pairs.push(pair)
  }
  if (sorted && !insert) pairs.sort((a, b) => compareParamNames(a[0], b[0]))
  return new SafeCreativeStringToSign(privateKey, pairs, variant.key ?? 'prefix')
}

/**
 * Inserts `pair` into pairs sorted by name, after any equal names (stable), comparing as
 * `compareParamNames` does. For short lists this beats `Array.prototype.sort` and its
 * comparator calls.
 */
function insertSorted(sorted: ParamPair[], pair: ParamPair): void {
  const name = pair[0]
  let j = sorted.length
  sorted.push(pair)
  while (j > 0 && sorted[j - 1]![0] > name) {
    sorted[j] = sorted[j - 1]!
    j--
  }
  sorted[j] = pair
}
