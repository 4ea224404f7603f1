import { createPublicKey, verify } from 'node:crypto'
import { bytesField, decodeFields, encodeFields, numberField } from '../../auth/bridge/protobuf.js'
import { PUSH_SIGNATURE_PREFIX, topicHash } from '../../auth/bridge/push-messages.js'

/** The server's side of the push websocket's messages (docs/protocols/icloud.md §17.2). */

/** What the connect path carries. */
export interface ConnectRequest {
  /** The client's ephemeral P-256 key, uncompressed. */
  readonly publicKey: Uint8Array
  /** `00`, the time in ms (8 bytes), 8 random bytes. */
  readonly nonce: Uint8Array
  /** `01 03` then the DER ECDSA-SHA256 signature of the nonce. */
  readonly signature: Uint8Array
}

/** Reads `/v2/<hex>`; undefined when the path is not a connect message with a key, nonce and signature. */
export function readConnectPath(path: string): ConnectRequest | undefined {
  const match = /^\/v2\/([0-9a-f]+)$/i.exec(path)
  if (!match || match[1]!.length % 2 !== 0 || match[1]!.length > 4096) return undefined
  try {
    const inner = bytesField(decodeFields(Buffer.from(match[1]!, 'hex')), 1)
    if (!inner) return undefined
    const fields = decodeFields(inner)
    const publicKey = bytesField(fields, 1)
    const nonce = bytesField(fields, 2)
    const signature = bytesField(fields, 3)
    if (!publicKey || !nonce || !signature) return undefined
    return { publicKey, nonce, signature }
  } catch {
    return undefined
  }
}

/** True when the signature (prefix `01 03`, then DER ECDSA-SHA256) over the nonce verifies with the key. */
export function connectSignatureValid(request: ConnectRequest): boolean {
  const { publicKey, signature, nonce } = request
  if (publicKey.byteLength !== 65 || publicKey[0] !== 4) return false
  if (signature[0] !== PUSH_SIGNATURE_PREFIX[0] || signature[1] !== PUSH_SIGNATURE_PREFIX[1]) return false
  try {
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(publicKey.subarray(1, 33)).toString('base64url'),
        y: Buffer.from(publicKey.subarray(33)).toString('base64url'),
      },
      format: 'jwk',
    })
    return verify('sha256', nonce, key, signature.subarray(2))
  } catch {
    return false
  }
}

/** The nonce's time in ms: a zero byte, then 8 bytes big-endian ms, then 8 random bytes. */
export function nonceTime(nonce: Uint8Array): number | undefined {
  if (nonce.byteLength !== 17 || nonce[0] !== 0) return undefined
  return Number(Buffer.from(nonce).readBigUInt64BE(1))
}

/** The connection response: the push token as base64 text, a status, the server's time in seconds. */
export function connectionResponse(
  token: Uint8Array | undefined,
  status: number,
  serverTimeSeconds: number,
): Uint8Array {
  return encodeFields([
    [
      1,
      encodeFields([
        ...(token ? [[1, Buffer.from(token).toString('base64')] as const] : []),
        [2, status],
        [3, serverTimeSeconds],
      ]),
    ],
  ])
}

/** A push on `topic` (sent as its SHA-1). */
export function pushFrame(topic: string, messageId: number, payload: string): Uint8Array {
  return encodeFields([
    [
      2,
      encodeFields([
        [1, topicHash(topic)],
        [2, messageId],
        [4, payload],
      ]),
    ],
  ])
}

/** The answer to a topic filter. */
export function subscriptionResponse(
  topics: readonly string[],
  messageId: number,
  status: number,
): Uint8Array {
  const apps = encodeFields(topics.map((t) => [1, encodeFields([[1, t]])] as const))
  return encodeFields([
    [
      3,
      encodeFields([
        [1, apps],
        [2, messageId],
        [3, status],
      ]),
    ],
  ])
}

/** A client frame: a topic filter (field 3) or an ack (field 2); undefined fields when absent. */
export function readClientFrame(frame: Uint8Array): {
  filter?: string[]
  ack?: { topic: Uint8Array; messageId: number }
} {
  const fields = decodeFields(frame)
  const out: { filter?: string[]; ack?: { topic: Uint8Array; messageId: number } } = {}
  const filter = bytesField(fields, 3)
  if (filter)
    out.filter = (decodeFields(filter).get(1) ?? [])
      .filter((t): t is Uint8Array => t instanceof Uint8Array)
      .map((t) => Buffer.from(t).toString('utf8'))
  const ack = bytesField(fields, 2)
  if (ack) {
    const a = decodeFields(ack)
    out.ack = { topic: bytesField(a, 1) ?? new Uint8Array(0), messageId: numberField(a, 2) ?? 0 }
  }
  return out
}
