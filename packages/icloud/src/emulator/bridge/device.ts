import { randomBytes, randomInt } from 'node:crypto'
import type { DeviceAnswer, DeviceSide } from './device-pake.js'
import type { BridgePushHub } from './push-hub.js'

/** Where a bridge session of the emulated trusted device stands. */
export type DeviceStage = 'prompted' | 'shared' | 'confirmed' | 'validated' | 'done' | 'failed'

/** One bridge session: the prompt on the emulated device and its side of the key exchange. */
export interface DeviceSession {
  /** The account signing in. */
  readonly appleId: string
  /** The idmsa conversation (`X-Apple-ID-Session-Id`) the bridge belongs to. */
  readonly conversation: string
  /** The browser's bridge session id. */
  readonly sessionUUID: string
  /** The push token (hex) the pushes go to. */
  readonly token: string
  /** The code the device shows. */
  readonly code: string
  /** The scrypt salt pushed with the prompt. */
  readonly salt: Uint8Array
  /** The device's side of the key exchange. */
  readonly device: DeviceSide
  /** The transaction id of the pushes. */
  readonly txnid: string
  /** Where the session stands. */
  stage: DeviceStage
  /** When the session stops being usable (emulator clock, ms). */
  readonly expiresAt: number
  /** The `idmsdata` of the device's last push; the next step must send it back. */
  idmsdata: string
  /** The device's answer to the browser's share, once step 2 came. */
  answer?: DeviceAnswer
  /** The validation code sealed in the final push. */
  validation?: string
}

/** What the device shows now, for tests and the demo (`GET /_emulator/icloud/bridge-code`). */
export interface BridgeCodeView {
  /** The account signing in. */
  readonly appleId: string
  /** The code the device shows. */
  readonly code: string
  /** How far the bridge got. */
  readonly stage: DeviceStage
  /** When the prompt expires (ISO 8601). */
  readonly expiresAt: string
}

/**
 * The emulated trusted devices' bridge sessions (memory only: a session lives as long as its push
 * websocket, which does not survive a restart either).
 */
export class BridgeDevices {
  readonly #sessions = new Map<string, DeviceSession>()
  readonly #latest = new Map<string, DeviceSession>()
  /** The emulated push service the pushes go through. */
  readonly hub: BridgePushHub
  /** `host:port` (TLS) or `ws://host:port`: the `webSocketUrl` of the page. Set once the server listens. */
  socketUrl: string | undefined

  constructor(hub: BridgePushHub) {
    this.hub = hub
  }

  /** Registers a session. */
  add(session: DeviceSession): void {
    this.#sessions.set(session.sessionUUID, session)
    this.#latest.set(session.appleId, session)
    if (this.#sessions.size > 1000) this.#sessions.delete(this.#sessions.keys().next().value!)
  }

  /** The session `sessionUUID` names. */
  get(sessionUUID: string): DeviceSession | undefined {
    return this.#sessions.get(sessionUUID)
  }

  /** The code of the last prompt shown for `appleId`, while it can still be used. */
  view(appleId: string, now: number): BridgeCodeView | undefined {
    const session = this.#latest.get(appleId)
    if (!session || session.expiresAt < now) return undefined
    return {
      appleId,
      code: session.code,
      stage: session.stage,
      expiresAt: new Date(session.expiresAt).toISOString(),
    }
  }
}

/** A code as a trusted device shows it: six digits, or the account's fixed code. */
export function deviceCode(fixed: string | undefined): string {
  return fixed ?? String(randomInt(0, 1_000_000)).padStart(6, '0')
}

/** A transaction id shaped like Apple's (`2300_282820214_S`, pyicloud tests L440); `_S` is the bridge verifier. */
export function transactionId(): string {
  return `2300_${randomInt(100_000_000, 999_999_999)}_S`
}

/** Opaque `idmsdata` for one push. */
export function idmsData(): string {
  return randomBytes(18).toString('base64url')
}
