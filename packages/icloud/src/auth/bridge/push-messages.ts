import { createHash } from 'node:crypto'
import { bytesField, decodeFields, encodeFields, numberField } from './protobuf.js'

/**
 * The push websocket's messages (docs/protocols/icloud.md §17.2; pyicloud `hsa2_bridge.py` L495-733).
 * Client messages: 1 connect (in the URL), 2 ack, 3 topic filter. Server messages: 1 connection
 * response, 2 push, 3 subscription response, 7 push acknowledgement.
 */

/** Connection status: accepted. */
export const PUSH_STATUS_OK = 0
/** Connection status: the nonce's time is off (the response carries the server's time). */
export const PUSH_STATUS_INVALID_NONCE = 2
/** How long the push token should live, seconds (pyicloud `NEW_CONNECTION_EXPIRATION_SECONDS`). */
export const PUSH_CONNECTION_EXPIRY_SECONDS = 86_400
/** Prefix of the connection signature (pyicloud `BRIDGE_SIGNATURE_PREFIX`). */
export const PUSH_SIGNATURE_PREFIX = Uint8Array.of(0x01, 0x03)

/** The connect message, hex-encoded into the websocket path `/v2/<hex>`. */
export function connectionPath(publicKey: Uint8Array, nonce: Uint8Array, derSignature: Uint8Array): string {
  const inner = encodeFields([
    [1, publicKey],
    [2, nonce],
    [3, Buffer.concat([PUSH_SIGNATURE_PREFIX, derSignature])],
    [5, encodeFields([[1, PUSH_CONNECTION_EXPIRY_SECONDS]])],
  ])
  return `/v2/${Buffer.from(encodeFields([[1, inner]])).toString('hex')}`
}

/** The nonce: a zero byte, the time in ms as 8 bytes big-endian, 8 random bytes. */
export function pushNonce(timeMs: number, random: Uint8Array): Uint8Array {
  const nonce = Buffer.alloc(17)
  nonce.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(timeMs))), 1)
  Buffer.from(random).copy(nonce, 9, 0, 8)
  return nonce
}

/** The topic filter sent once connected. */
export function filterMessage(topics: readonly string[]): Uint8Array {
  return encodeFields([[3, encodeFields(topics.map((t) => [1, t] as const))]])
}

/** The acknowledgement of one push. */
export function ackMessage(topic: Uint8Array, messageId: number): Uint8Array {
  return encodeFields([
    [
      2,
      encodeFields([
        [1, topic],
        [2, messageId],
      ]),
    ],
  ])
}

/** Topics travel as the SHA-1 of their name. */
export function topicHash(topic: string): Uint8Array {
  return createHash('sha1').update(topic, 'utf8').digest()
}

/** A server message, decoded as far as the client needs. */
export interface ServerPushMessage {
  /** Field 1: the push token (base64 text), the status, the server's time in seconds. */
  readonly connection?: { token: string | undefined; status: number; serverTimeSeconds: number | undefined }
  /** Field 2: a push (topic as SHA-1, message id, payload). */
  readonly push?: { topic: Uint8Array; messageId: number; payload: Uint8Array }
  /** Field 3: the answer to a topic filter. */
  readonly subscription?: { status: number }
}

/** Decodes one server frame; throws a RangeError when it is not protobuf. */
export function decodeServerMessage(frame: Uint8Array): ServerPushMessage {
  const fields = decodeFields(frame)
  const out: {
    connection?: ServerPushMessage['connection']
    push?: ServerPushMessage['push']
    subscription?: ServerPushMessage['subscription']
  } = {}
  const connection = bytesField(fields, 1)
  if (connection) {
    const c = decodeFields(connection)
    const token = bytesField(c, 1)
    out.connection = {
      token: token ? Buffer.from(token).toString('latin1') : undefined,
      status: numberField(c, 2) ?? 0,
      serverTimeSeconds: numberField(c, 3),
    }
  }
  const push = bytesField(fields, 2)
  if (push) {
    const p = decodeFields(push)
    out.push = {
      topic: bytesField(p, 1) ?? new Uint8Array(0),
      messageId: numberField(p, 2) ?? 0,
      payload: bytesField(p, 4) ?? new Uint8Array(0),
    }
  }
  const subscription = bytesField(fields, 3)
  if (subscription) out.subscription = { status: numberField(decodeFields(subscription), 3) ?? 0 }
  return out
}
