import { sign as cryptoSign, type KeyObject } from 'node:crypto'
import {
  type BytesToken,
  type Clock,
  clockMs,
  formatIsoSeconds,
  type HttpRequest,
  invalidArgument,
  type RequestSigner,
  type SignOutput,
  type TokenTrace,
  toBase64,
  traceTokens,
} from '@sigwire/core'
import { HEADER_DATE, HEADER_KEY_ID, HEADER_SIGNATURE } from '../constants.js'
import { CloudKitError } from '../errors.js'
import { type PrivateKeyInput, parseCloudKitPrivateKey, publicKeyPemOf } from './keys.js'
import { cloudKitMessage } from './string-to-sign.js'

/** Credentials of a CloudKit server-to-server key (CloudKit Dashboard, API Access). */
export interface CloudKitSignerCredentials {
  /** The key ID CloudKit Dashboard shows for the registered public key. */
  keyId: string
  /** The private key: PEM (SEC1, PKCS#8, with `EC PARAMETERS`, encrypted), DER, base64 DER or a KeyObject. */
  privateKey: PrivateKeyInput
  /** Passphrase of an encrypted private key. */
  passphrase?: string
}

/** The request parts a CloudKit signature covers. */
export type SignableRequest = Pick<HttpRequest, 'target' | 'body'>

/**
 * A CloudKit server-to-server signer: a core {@link RequestSigner} whose key is parsed once, plus the
 * pieces the CLI and tests need.
 */
export interface CloudKitSigner extends RequestSigner {
  /** The key ID sent in `X-Apple-CloudKit-Request-KeyID`. */
  readonly keyId: string
  /** SPKI PEM of the key's public half (what CloudKit Dashboard and the emulator register). */
  readonly publicKeyPem: string
  /**
   * Signs `request` with the clock's current time: the date header, key ID and base64 DER signature
   * over `date:bodyHash:target`. Synchronous for in-memory bodies; file bodies are hashed in one
   * streamed pass first.
   */
  sign(request: HttpRequest, clock: Clock): SignOutput | Promise<SignOutput>
  /**
   * The token list signed for `request` at `date` (the second; milliseconds are dropped as in the
   * header). The body hash is a token, so the body must be in memory: a file body throws
   * `INVALID_ARGUMENT` (`sign` hashes it in one streamed pass).
   */
  tokens(request: SignableRequest, date: Date): BytesToken[]
  /** base64 DER ECDSA P-256/SHA-256 signature of arbitrary message bytes (`sigwire sign`). */
  signMessage(message: Uint8Array | string): string
}

/**
 * Creates the signer for a CloudKit server-to-server key. The key is parsed here, once; a key of the
 * wrong type, curve or encoding fails now with a typed error that names what was found and the
 * openssl command that fixes it (see {@link parseCloudKitPrivateKey}).
 *
 * ```ts
 * const signer = createCloudKitSigner({ keyId: process.env.CLOUDKIT_KEY_ID!, privateKey: readFileSync('eckey.pem', 'utf8') })
 * ```
 */
export function createCloudKitSigner(credentials: CloudKitSignerCredentials): CloudKitSigner {
  const keyId = checkKeyId(credentials.keyId)
  const key = parseCloudKitPrivateKey(credentials.privateKey, credentials.passphrase)
  return new Signer(keyId, key)
}

class Signer implements CloudKitSigner {
  readonly keyId: string
  readonly #key: KeyObject
  #publicKeyPem: string | undefined
  #lastSecond = Number.NaN
  #lastDate = ''

  constructor(keyId: string, key: KeyObject) {
    this.keyId = keyId
    this.#key = key
  }

  /** The date string for `ms`: it changes once a second, so it is formatted once per second. */
  #dateAt(ms: number): string {
    const second = Math.floor(ms / 1000)
    if (second !== this.#lastSecond) {
      this.#lastSecond = second
      this.#lastDate = formatIsoSeconds(new Date(second * 1000))
    }
    return this.#lastDate
  }

  get publicKeyPem(): string {
    this.#publicKeyPem ??= publicKeyPemOf(this.#key)
    return this.#publicKeyPem
  }

  sign(request: HttpRequest, clock: Clock): SignOutput | Promise<SignOutput> {
    // In-memory bodies are hashed without an await: signing stays one synchronous step (the hot path).
    const digest = request.body.sha256Sync()
    if (digest !== undefined) return this.#signOver(request.target, digest, clock)
    return request.body.sha256().then((d) => this.#signOver(request.target, d, clock))
  }

  tokens(request: SignableRequest, date: Date): BytesToken[] {
    const digest = request.body.sha256Sync()
    if (digest === undefined)
      throw invalidArgument(
        "The CloudKit string to sign holds the body's SHA-256, and this body is streamed (a file): its tokens are known once it is read. Sign the request (sign() hashes the file in one pass) or pass the body in memory (bytesBody).",
      )
    return cloudKitMessage({
      date: formatIsoSeconds(date),
      bodyHash: toBase64(digest),
      target: request.target,
    }).tokens
  }

  signMessage(message: Uint8Array | string): string {
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
    return toBase64(cryptoSign('sha256', bytes, { key: this.#key, dsaEncoding: 'der' }))
  }

  #signOver(target: string, digest: Uint8Array, clock: Clock): SignOutput {
    // Formatted once: the header and the message carry the same string (§2.2).
    const date = this.#dateAt(clockMs(clock))
    const message = cloudKitMessage({ date, bodyHash: toBase64(digest), target })
    // DER is Node's default encoding for EC signatures; passing the bare KeyObject (no options object)
    // keeps the hot path lean.
    const signature = cryptoSign('sha256', message.bytes, this.#key)
    return new CloudKitSignOutput(
      { [HEADER_KEY_ID]: this.keyId, [HEADER_DATE]: date, [HEADER_SIGNATURE]: toBase64(signature) },
      message.tokens,
    )
  }
}

/**
 * A signer's output whose trace is built on first read (a prototype getter, no per-call closure): every
 * attempt is signed, a trace is read only when something fails or is logged.
 */
class CloudKitSignOutput implements SignOutput {
  readonly headers: Readonly<Record<string, string>>
  readonly #tokens: readonly BytesToken[]
  #trace: readonly TokenTrace[] | undefined

  constructor(headers: Readonly<Record<string, string>>, tokens: readonly BytesToken[]) {
    this.headers = headers
    this.#tokens = tokens
  }

  /** The tokens that were signed (date, body hash, request-target), for errors and debugging. */
  get trace(): readonly TokenTrace[] {
    this.#trace ??= traceTokens(this.#tokens)
    return this.#trace
  }
}

function checkKeyId(keyId: unknown): string {
  if (typeof keyId !== 'string' || !/^[\x21-\x7e]+$/.test(keyId))
    throw new CloudKitError({
      code: 'INVALID_KEY_ID',
      message:
        'The key ID must be the non-empty identifier CloudKit Dashboard shows for your server-to-server key (printable ASCII, no spaces).',
    })
  return keyId
}
