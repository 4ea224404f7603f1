import { createHash } from 'node:crypto'
import { type BytesToken, digestTokensSync, textToken, toHex } from '@sigwire/core'
import { EXCLUDED_PARAMS, isExcludedParam } from '../constants.js'
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
 * The variant options exist for `sigwire doctor`, which rebuilds the string the way a client got it
 * wrong (§6); signing and verifying always use the defaults.
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
    let body = ''
    for (let i = 0; i < this.pairs.length; i++) {
      const [name, value] = this.pairs[i]!
      body += i === 0 ? `${name}=${value}` : `&${name}=${value}`
    }
    if (this.#key === 'none') return body
    if (this.#key === 'suffix')
      return this.pairs.length === 0 ? this.#privateKey : `${body}&${this.#privateKey}`
    if (this.#key === 'prefix-no-separator') return this.#privateKey + body
    return this.pairs.length === 0 ? this.#privateKey : `${this.#privateKey}&${body}`
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

  /** Lower-case hex SHA-1 of the UTF-8 bytes: the `signature` parameter (§2.1). */
  signature(): string {
    // digest('hex') straight from node:crypto: going through a Buffer and back to hex costs more than
    // the SHA-1 itself for strings this short (measured by `pnpm bench --only=signing-safe-creative`).
    return createHash('sha1').update(this.render(), 'utf8').digest('hex')
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
  toJSON(): { pairs: readonly ParamPair[] } {
    return { pairs: this.pairs }
  }
}

/**
 * Builds the string to sign from decoded parameters and the private key that signs them.
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
  const pairs: ParamPair[] = []
  for (const pair of params) {
    if (typeof pair[0] !== 'string' || typeof pair[1] !== 'string')
      throw safeCreativeError('INVALID_ARGUMENT', 'Every parameter must be a [name, value] pair of strings.')
    if (!variant.keepExcluded && EXCLUDED_PARAMS.has(pair[0])) continue
    pairs.push(pair)
  }
  if ((variant.order ?? 'sorted') === 'sorted') pairs.sort((a, b) => compareParamNames(a[0], b[0]))
  return new SafeCreativeStringToSign(privateKey, pairs, variant.key ?? 'prefix')
}

/**
 * @internal The pairs that are signed (excluded names left out), sorted by name: one copy, filled by a
 * stable insertion sort (the lists are short). Same order as {@link buildStringToSign}'s default.
 */
export function sortedSignedPairs(params: readonly ParamPair[]): ParamPair[] {
  const sorted: ParamPair[] = []
  for (const pair of params) if (!isExcludedParam(pair[0])) insertSorted(sorted, pair)
  return sorted
}

/**
 * @internal Inserts `pair` into pairs sorted by name, after any equal names (stable), comparing as
 * {@link compareParamNames} does. Returns true when the name was already there.
 */
export function insertSorted(sorted: ParamPair[], pair: ParamPair): boolean {
  const name = pair[0]
  let j = sorted.length
  sorted.push(pair)
  while (j > 0) {
    const before = sorted[j - 1]![0]
    if (before < name) break
    if (before === name) {
      sorted[j] = pair
      return true
    }
    sorted[j] = sorted[j - 1]!
    j--
  }
  sorted[j] = pair
  return false
}

/** Values at least this long are hashed on their own rather than appended to the string (upload chunks). */
const LONG_VALUE = 4096

/**
 * @internal The signature over pairs already sorted: the same string as {@link buildStringToSign}'s `render()`
 * (excluded names left out), built once and hashed once. A long value (a 50 KiB upload chunk) is fed to
 * the hash as it is instead of being copied into a flattened string.
 */
export function sha1Signature(key: string, sorted: readonly ParamPair[]): string {
  const hash = createHash('sha1')
  let text = key
  for (let i = 0; i < sorted.length; i++) {
    const pair = sorted[i]!
    if (isExcludedParam(pair[0])) continue
    const value = pair[1]
    if (value.length >= LONG_VALUE) {
      hash.update(`${text}&${pair[0]}=`, 'utf8')
      hash.update(value, 'utf8')
      text = ''
    } else text += `&${pair[0]}=${value}`
  }
  return hash.update(text, 'utf8').digest('hex')
}
