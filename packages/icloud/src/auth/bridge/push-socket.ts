import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import type { TlsOptions } from '@sigwire/core'
import { ICloudError } from '../../errors.js'
import {
  ackMessage,
  connectionPath,
  decodeServerMessage,
  filterMessage,
  PUSH_STATUS_INVALID_NONCE,
  PUSH_STATUS_OK,
  pushNonce,
  type ServerPushMessage,
  topicHash,
} from './push-messages.js'

/** Where and how to open the push websocket. */
export interface PushSocketOptions {
  /** `wss://host[:port]` (already checked against the host allowlist). */
  readonly baseUrl: string
  /** The `Origin` header: the idmsa origin the page came from. */
  readonly origin: string
  /** The `User-Agent` of the upgrade request. */
  readonly userAgent: string
  /** TLS of the websocket (extra CA for an emulator). */
  readonly tls: TlsOptions | undefined
  /** Longest wait for any one answer on the socket, ms. */
  readonly timeoutMs: number
  /** Cancels the connection and every wait on it. */
  readonly signal: AbortSignal | undefined
  /** Milestones for the trace (never secrets). */
  readonly note: (step: string) => void
  /** The clock for the nonce. Default `Date.now`. */
  readonly now?: () => number
}

/** An open push connection subscribed to one topic. */
export interface PushSocket {
  /** The push token as hex: what `bridge/step/*` send as `ptkn`. */
  readonly token: string
  /** The next push on the topic (acknowledged), its payload as text. */
  nextPush(): Promise<string>
  /** Closes the websocket. */
  close(): void
}

/**
 * Opens Apple's push websocket the way the sign-in page does (docs/protocols/icloud.md §17.2): an
 * ephemeral P-256 key signs a time nonce carried in the path; the server answers a push token; the
 * client subscribes to the topic. An `INVALID_NONCE` answer is retried once with the server's time
 * (pyicloud `hsa2_bridge.py` L1076-1162).
 */
export async function openPushSocket(options: PushSocketOptions, topic: string): Promise<PushSocket> {
  const now = options.now ?? Date.now
  let timeMs = now()
  for (let attempt = 0; attempt < 2; attempt++) {
    const connection = await connect(options, timeMs)
    try {
      const first = await connection.next((m) => m.connection !== undefined, 'the push token')
      const answer = first.connection!
      if (answer.status === PUSH_STATUS_OK && answer.token) {
        const token = Buffer.from(answer.token, 'base64')
        if (token.byteLength === 0 || token.toString('base64') !== answer.token)
          throw bridgeError('The push service answered a malformed push token.')
        options.note('push token received')
        connection.send(filterMessage([topic]))
        options.note('topic filter sent')
        return pushSocketOn(connection, topicHash(topic), token.toString('hex'))
      }
      if (
        answer.status === PUSH_STATUS_INVALID_NONCE &&
        answer.serverTimeSeconds !== undefined &&
        attempt === 0
      ) {
        options.note('nonce refused; retrying with the server time')
        timeMs = answer.serverTimeSeconds * 1000
        connection.close()
        continue
      }
      throw bridgeError(`The push service refused the connection (status ${answer.status}).`)
    } catch (error) {
      connection.close()
      throw error
    }
  }
  throw bridgeError('The push service refused the connection nonce twice.')
}

interface Connection {
  send(frame: Uint8Array): void
  next(match: (m: ServerPushMessage) => boolean, what: string): Promise<ServerPushMessage>
  close(): void
}

function pushSocketOn(connection: Connection, topic: Uint8Array, token: string): PushSocket {
  const wanted = Buffer.from(topic)
  return {
    token,
    async nextPush() {
      for (;;) {
        const message = await connection.next(
          (m) => m.push !== undefined || m.subscription !== undefined,
          'a push',
        )
        if (message.subscription && message.subscription.status !== PUSH_STATUS_OK)
          throw bridgeError(
            `The push service refused the topic subscription (status ${message.subscription.status}).`,
          )
        const push = message.push
        if (!push) continue
        connection.send(ackMessage(push.topic, push.messageId))
        if (wanted.equals(push.topic)) return Buffer.from(push.payload).toString('utf8')
      }
    },
    close: () => connection.close(),
  }
}

async function connect(options: PushSocketOptions, timeMs: number): Promise<Connection> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  // The uncompressed point is the last 65 bytes of a P-256 SPKI.
  const point = publicKey.export({ format: 'der', type: 'spki' }).subarray(-65)
  const nonce = pushNonce(timeMs, randomBytes(8))
  const signature = sign('sha256', nonce, privateKey)
  const url = `${options.baseUrl}${connectionPath(point, nonce, signature)}`
  // Loaded here: only the trusted-device bridge uses a websocket, and every client import paid for it.
  const { default: WebSocket } = await import('ws')
  const socket = new WebSocket(url, {
    headers: { origin: options.origin, 'user-agent': options.userAgent },
    handshakeTimeout: options.timeoutMs,
    maxPayload: 1024 * 1024,
    ...(options.tls?.ca === undefined
      ? {}
      : { ca: typeof options.tls.ca === 'string' ? options.tls.ca : [...options.tls.ca] }),
    ...(options.tls?.rejectUnauthorized === undefined
      ? {}
      : { rejectUnauthorized: options.tls.rejectUnauthorized }),
  })
  socket.binaryType = 'nodebuffer'
  const inbox: ServerPushMessage[] = []
  let failure: ICloudError | undefined
  let wake: (() => void) | undefined
  const fail = (error: ICloudError) => {
    failure ??= error
    wake?.()
  }
  const onAbort = () => {
    fail(new ICloudError({ code: 'ABORTED', message: 'The trusted-device sign-in was cancelled.' }))
    socket.terminate()
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    try {
      if (!isBinary) throw new RangeError('text frame')
      inbox.push(decodeServerMessage(data))
    } catch {
      fail(bridgeError('The push service sent a frame that is not one of its binary messages.'))
    }
    wake?.()
  })
  socket.on('close', () =>
    fail(bridgeError('The push service closed the connection before the sign-in ended.')),
  )
  socket.on('error', (error: Error & { code?: string }) =>
    fail(
      bridgeError(
        `The push websocket failed (${error.code ?? 'error'}): check the network and that the push host is reachable.`,
      ),
    ),
  )
  if (options.signal?.aborted) onAbort()
  await new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.OPEN || failure) return resolve()
    socket.once('open', () => resolve())
    wake = resolve
  })
  wake = undefined
  if (failure) {
    options.signal?.removeEventListener('abort', onAbort)
    throw failure
  }
  options.note('push websocket open')
  return {
    send(frame) {
      socket.send(frame, { binary: true })
    },
    async next(match, what) {
      const deadline = Date.now() + options.timeoutMs
      for (;;) {
        const index = inbox.findIndex(match)
        if (index >= 0) return inbox.splice(index, 1)[0]!
        if (failure) throw failure
        const left = deadline - Date.now()
        if (left <= 0)
          throw new ICloudError({
            code: 'TIMEOUT',
            message: `No answer from the trusted-device bridge within ${options.timeoutMs} ms while waiting for ${what}; approve the sign-in on the device sooner, or pass a longer bridge timeout.`,
          })
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = undefined
      }
    },
    close() {
      options.signal?.removeEventListener('abort', onAbort)
      failure ??= bridgeError('The push connection was closed.')
      if (socket.readyState === WebSocket.OPEN) socket.close(1000)
      else socket.terminate()
    },
  }
}

/** The typed error of a bridge step that could not go on. */
export function bridgeError(
  message: string,
  extra: { status?: number; serviceCode?: string } = {},
): ICloudError {
  return new ICloudError({ code: 'BRIDGE_FAILED', message, ...extra })
}
