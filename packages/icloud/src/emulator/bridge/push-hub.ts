import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { debug } from '@sigwire/core'
import { type WebSocket, WebSocketServer } from 'ws'
import { PUSH_STATUS_INVALID_NONCE, PUSH_STATUS_OK } from '../../auth/bridge/push-messages.js'
import {
  connectionResponse,
  connectSignatureValid,
  nonceTime,
  pushFrame,
  readClientFrame,
  readConnectPath,
  subscriptionResponse,
} from './push-wire.js'

/** A refused connection: malformed connect message or a signature that does not verify (DECISION, §17.2). */
export const PUSH_STATUS_REFUSED = 1
/** How far a nonce's time may be from the emulator's clock, ms. */
const NONCE_WINDOW_MS = 5 * 60_000

interface PushConnection {
  readonly socket: WebSocket
  readonly topics: Set<string>
  nextMessageId: number
  /** Pushes sent and not yet acknowledged, by message id. */
  readonly unacked: Set<number>
  /** Pushes for topics not subscribed yet (the filter frame and an HTTP step may arrive in either order). */
  readonly pending: Array<{ topic: string; payload: Record<string, unknown> }>
}

/**
 * The emulated push service (Apple's `websocket.push.apple.com` as the bridge uses it,
 * docs/protocols/icloud.md §17.2): a websocket upgrade on the emulator's own port at `/v2/<hex>`, the
 * connect message's signed time nonce checked (time window, replays, signature), a push token per
 * connection, topic filters, and pushes acknowledged by message id.
 */
export class BridgePushHub {
  readonly #server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  readonly #connections = new Map<string, PushConnection>()
  readonly #nonces = new Map<string, number>()
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
  }

  /** Takes an HTTP upgrade request; anything but a well-formed connect path is answered 400. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const connect = readConnectPath(new URL(req.url ?? '/', 'http://x').pathname)
    if (!connect) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    this.#server.handleUpgrade(req, socket, head, (ws) => {
      const now = this.#now()
      const seconds = Math.floor(now / 1000)
      if (!connectSignatureValid(connect)) return refuse(ws, PUSH_STATUS_REFUSED, seconds, 'bad signature')
      const time = nonceTime(connect.nonce)
      const key = Buffer.from(connect.nonce).toString('hex')
      this.#forgetOldNonces(now)
      // A nonce off the clock, or one seen before, gets INVALID_NONCE with the server's time, which a
      // client retries with (pyicloud `hsa2_bridge.py` L1420-1426, L1156-1162).
      if (time === undefined || Math.abs(time - now) > NONCE_WINDOW_MS || this.#nonces.has(key))
        return refuse(ws, PUSH_STATUS_INVALID_NONCE, seconds, 'invalid nonce')
      this.#nonces.set(key, now + 2 * NONCE_WINDOW_MS)
      const token = randomBytes(32)
      const tokenHex = token.toString('hex')
      const connection: PushConnection = {
        socket: ws,
        topics: new Set(),
        nextMessageId: 1,
        unacked: new Set(),
        pending: [],
      }
      this.#connections.set(tokenHex, connection)
      ws.on('close', () => this.#connections.delete(tokenHex))
      ws.on('message', (data: Buffer, isBinary: boolean) => this.#onFrame(connection, data, isBinary))
      ws.send(connectionResponse(token, PUSH_STATUS_OK, seconds))
    })
  }

  /** True when `tokenHex` is a live connection. */
  connected(tokenHex: string): boolean {
    return this.#connections.has(tokenHex.toLowerCase())
  }

  /**
   * Pushes `payload` (JSON) to the connection of `tokenHex` on `topic`, or keeps it until the connection
   * subscribes to the topic; false when the connection is gone.
   */
  push(tokenHex: string, topic: string, payload: Record<string, unknown>): boolean {
    const connection = this.#connections.get(tokenHex.toLowerCase())
    if (!connection) return false
    if (connection.topics.has(topic)) send(connection, topic, payload)
    else if (connection.pending.length < 16) connection.pending.push({ topic, payload })
    return true
  }

  /** Closes every connection. */
  close(): void {
    for (const { socket } of this.#connections.values()) socket.terminate()
    this.#connections.clear()
    this.#server.close()
  }

  #onFrame(connection: PushConnection, data: Buffer, isBinary: boolean): void {
    let frame: ReturnType<typeof readClientFrame>
    try {
      if (!isBinary) throw new RangeError('text')
      frame = readClientFrame(data)
    } catch {
      connection.socket.close(1002, 'not a push message')
      return
    }
    if (frame.filter) {
      for (const topic of frame.filter) connection.topics.add(topic)
      connection.socket.send(subscriptionResponse(frame.filter, connection.nextMessageId++, PUSH_STATUS_OK))
      const waiting = connection.pending.splice(0)
      for (const push of waiting)
        if (connection.topics.has(push.topic)) send(connection, push.topic, push.payload)
        else connection.pending.push(push)
    }
    // An ack for a push never sent, or acknowledged already, is a replay: the connection is closed.
    if (frame.ack && !connection.unacked.delete(frame.ack.messageId)) {
      debug('icloud emulator bridge: replayed or unknown ack %d', frame.ack.messageId)
      connection.socket.close(1008, 'unknown or replayed acknowledgement')
    }
  }

  #forgetOldNonces(now: number): void {
    for (const [key, expiry] of this.#nonces) if (expiry < now) this.#nonces.delete(key)
  }
}

function send(connection: PushConnection, topic: string, payload: Record<string, unknown>): void {
  const id = connection.nextMessageId++
  connection.unacked.add(id)
  connection.socket.send(pushFrame(topic, id, JSON.stringify(payload)))
}

function refuse(ws: WebSocket, status: number, seconds: number, reason: string): void {
  ws.send(connectionResponse(undefined, status, seconds))
  ws.close(1008, reason)
}
