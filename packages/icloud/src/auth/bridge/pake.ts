import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  scrypt,
  timingSafeEqual,
} from 'node:crypto'
import { p256 } from '@noble/curves/nist'

/**
 * The trusted-device bridge's password-authenticated key exchange (docs/protocols/icloud.md §17.3):
 * SPAKE2+ over P-256 between the browser (prover) and the trusted device (verifier), the password being
 * the code the device shows, stretched with scrypt and the session's salt. Points are uncompressed SEC1.
 */

type Point = InstanceType<typeof p256.ProjectivePoint>

const Point = p256.ProjectivePoint
const ORDER = p256.CURVE.n

/** RFC 9382 §6 constants M and N for P-256 (pyicloud `hsa2_bridge_prover.py` L36-37 uses the same). */
const M = Point.fromHex('02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f')
const N = Point.fromHex('03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49')
const CONTEXT = Buffer.from('SPAKE2Web')
const PROVER_ID = Buffer.from('com.apple.security.webprover')
const VERIFIER_ID = Buffer.from('com.apple.security.webverifier')

/** The two scalars the code stretches into, kept unreduced: the transcript carries w0 as is. */
export interface BridgePasswordScalars {
  /** The first 32 bytes of the scrypt output, big-endian. */
  readonly w0: bigint
  /** The last 32 bytes, big-endian. */
  readonly w1: bigint
}

/** scrypt(code, salt), N=16384 r=8 p=1, 64 bytes, split into w0 and w1 (§17.3). */
export async function stretchBridgeCode(code: string, salt: Uint8Array): Promise<BridgePasswordScalars> {
  const derived = await new Promise<Buffer>((resolve, reject) =>
    scrypt(code, salt, 64, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
  return { w0: bytesToBigint(derived.subarray(0, 32)), w1: bytesToBigint(derived.subarray(32)) }
}

/** A fresh scalar in [1, n-1]. */
export function randomBridgeScalar(): bigint {
  return bytesToBigint(p256.utils.randomPrivateKey())
}

/** The prover's share X = x·G + w0·M. */
export function proverShare(x: bigint, w0: bigint): Uint8Array {
  return encode(Point.BASE.multiply(reduce(x)).add(M.multiply(reduce(w0))))
}

/** The verifier's share Y = y·G + w0·N. */
export function verifierShare(y: bigint, w0: bigint): Uint8Array {
  return encode(Point.BASE.multiply(reduce(y)).add(N.multiply(reduce(w0))))
}

/** The verifier's registration point L = w1·G (what the device keeps instead of w1). */
export function verifierPoint(w1: bigint): Uint8Array {
  return encode(Point.BASE.multiply(reduce(w1)))
}

/** The keys both sides derive from one transcript. */
export interface BridgeSessionKeys {
  /** The length-prefixed transcript the keys come from. */
  readonly transcript: Uint8Array
  /** HMAC key of the prover's confirmation (first half of `ConfirmationKeys`). */
  readonly proverConfirmKey: Uint8Array
  /** HMAC key of the verifier's confirmation (second half). */
  readonly verifierConfirmKey: Uint8Array
  /** `SharedKey`, 32 bytes. */
  readonly sharedKey: Uint8Array
}

/** The prover's keys once it has the verifier's share: Z = x·(Y − w0·N), V = w1·(Y − w0·N). */
export function proverKeys(
  scalars: BridgePasswordScalars,
  x: bigint,
  proverShareBytes: Uint8Array,
  verifierShareBytes: Uint8Array,
): BridgeSessionKeys {
  const Y = decodePoint(verifierShareBytes)
  const base = Y.subtract(N.multiply(reduce(scalars.w0)))
  const Z = base.multiply(reduce(x))
  const V = base.multiply(reduce(scalars.w1))
  return sessionKeys(decodePoint(proverShareBytes), Y, Z, V, scalars.w0)
}

/** The verifier's keys once it has the prover's share: Z = y·(X − w0·M), V = y·L. */
export function verifierKeys(
  w0: bigint,
  L: Uint8Array,
  y: bigint,
  proverShareBytes: Uint8Array,
  verifierShareBytes: Uint8Array,
): BridgeSessionKeys {
  const X = decodePoint(proverShareBytes)
  const Z = X.subtract(M.multiply(reduce(w0))).multiply(reduce(y))
  const V = decodePoint(L).multiply(reduce(y))
  return sessionKeys(X, decodePoint(verifierShareBytes), Z, V, w0)
}

/**
 * The transcript: each part prefixed by its length as 8 bytes little-endian, w0 last in minimal
 * big-endian bytes, unreduced (pyicloud `hsa2_bridge_prover.py` L164-170, L338-349).
 */
export function bridgeTranscript(
  X: Uint8Array,
  Y: Uint8Array,
  Z: Uint8Array,
  V: Uint8Array,
  w0: bigint,
): Uint8Array {
  const parts = [CONTEXT, PROVER_ID, VERIFIER_ID, encode(M), encode(N), X, Y, Z, V, minimalBytes(w0)]
  const chunks: Uint8Array[] = []
  for (const part of parts) {
    const length = Buffer.alloc(8)
    length.writeBigUInt64LE(BigInt(part.byteLength))
    chunks.push(length, part)
  }
  return Buffer.concat(chunks)
}

function sessionKeys(X: Point, Y: Point, Z: Point, V: Point, w0: bigint): BridgeSessionKeys {
  const transcript = bridgeTranscript(encode(X), encode(Y), encode(Z), encode(V), w0)
  const digest = createHash('sha256').update(transcript).digest()
  const confirm = hkdf(digest, 'ConfirmationKeys', 64)
  return {
    transcript,
    proverConfirmKey: confirm.subarray(0, 32),
    verifierConfirmKey: confirm.subarray(32),
    sharedKey: hkdf(digest, 'SharedKey', 32),
  }
}

/** The prover's confirmation: HMAC-SHA256 over the verifier's share as received. */
export function proverConfirmation(keys: BridgeSessionKeys, verifierShareBytes: Uint8Array): Uint8Array {
  return createHmac('sha256', keys.proverConfirmKey).update(verifierShareBytes).digest()
}

/** The verifier's confirmation: HMAC-SHA256 over the prover's share as received. */
export function verifierConfirmation(keys: BridgeSessionKeys, proverShareBytes: Uint8Array): Uint8Array {
  return createHmac('sha256', keys.verifierConfirmKey).update(proverShareBytes).digest()
}

/** Constant-time comparison of two confirmations. */
export function confirmationsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b)
}

/** The AES key of the final payload (`webVerifier`) and the unused `webProver` key, from `SharedKey`. */
export function bridgePayloadKeys(sharedKey: Uint8Array): { verifierKey: Uint8Array; proverKey: Uint8Array } {
  return { verifierKey: hkdf(sharedKey, 'webVerifier', 32), proverKey: hkdf(sharedKey, 'webProver', 32) }
}

const PAYLOAD_VERSION = 0
const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * Opens the device's `encryptedCode`: version byte 0, a 12-byte IV, the 16-byte tag, then the
 * ciphertext; AES-256-GCM with the version byte as additional data (pyicloud `hsa2_bridge_prover.py`
 * L505-523). Undefined when the payload is malformed or does not authenticate.
 */
export function openBridgePayload(key: Uint8Array, payload: Uint8Array): string | undefined {
  if (payload.byteLength < 1 + IV_BYTES + TAG_BYTES || payload[0] !== PAYLOAD_VERSION) return undefined
  const iv = payload.subarray(1, 1 + IV_BYTES)
  const tag = payload.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(Uint8Array.of(PAYLOAD_VERSION))
    decipher.setAuthTag(tag)
    const plain = Buffer.concat([
      decipher.update(payload.subarray(1 + IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ])
    return new TextDecoder('utf-8', { fatal: true }).decode(plain)
  } catch {
    return undefined
  }
}

/** Seals `text` in the layout {@link openBridgePayload} reads (the device's side). */
export function sealBridgePayload(key: Uint8Array, iv: Uint8Array, text: string): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Uint8Array.of(PAYLOAD_VERSION))
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
  return Buffer.concat([Uint8Array.of(PAYLOAD_VERSION), iv, cipher.getAuthTag(), sealed])
}

/** Decodes and validates a SEC1 point (compressed or not); throws on anything off the curve. */
function decodePoint(bytes: Uint8Array): Point {
  const point = Point.fromHex(bytes)
  point.assertValidity()
  if (point.equals(Point.ZERO)) throw new RangeError('The point at infinity is not a share.')
  return point
}

/** True when `bytes` is a valid P-256 point other than infinity. */
export function isBridgePoint(bytes: Uint8Array): boolean {
  try {
    decodePoint(bytes)
    return true
  } catch {
    return false
  }
}

function encode(point: Point): Uint8Array {
  return point.toRawBytes(false)
}

function reduce(value: bigint): bigint {
  const r = value % ORDER
  if (r === 0n) throw new RangeError('A bridge scalar reduced to zero.')
  return r
}

function hkdf(ikm: Uint8Array, info: string, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, new Uint8Array(0), info, length))
}

function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.byteLength === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
}

function minimalBytes(value: bigint): Uint8Array {
  if (value === 0n) return Uint8Array.of(0)
  let hex = value.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return Buffer.from(hex, 'hex')
}
