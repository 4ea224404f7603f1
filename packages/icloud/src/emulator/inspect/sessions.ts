import { createHash } from 'node:crypto'
import { type DurableStore, type EmulatorRequest, type Reply, reply } from '@sigwire/emulator-kit'
import { normalizeAppleId } from '../../session/state.js'
import type { ICloudData } from '../context.js'

/** A web session (`X-APPLE-WEBAUTH-TOKEN`) as the emulator UI lists it: never its cookie value. */
export interface InspectedSession {
  /** A handle derived from the session's key by a one-way digest (the key is a credential). */
  readonly id: string
  /** The account it belongs to. */
  readonly appleId: string
  /** When it expires (or expired), ISO 8601. */
  readonly expiresAt: string
  /** True while services accept it. */
  readonly alive: boolean
  /** A 2SA session that still owes its code. */
  readonly challengeRequired: boolean
}

/** The handle of a session key: 16 hex digits of a SHA-256 that cannot be turned back into the cookie. */
export function sessionHandle(key: string): string {
  return createHash('sha256').update(`sigwire-ui-session\u0000${key}`).digest('hex').slice(0, 16)
}

/** The account's web sessions, newest expiry first (at most `limit`). */
export function listSessions(data: ICloudData, appleId: string, now: number, limit = 50): InspectedSession[] {
  const id = normalizeAppleId(appleId)
  const out: InspectedSession[] = []
  for (const [key, session] of data.webSessions)
    if (session.appleId === id)
      out.push({
        id: sessionHandle(key),
        appleId: id,
        expiresAt: new Date(session.expiresAt).toISOString(),
        alive: session.expiresAt > now,
        challengeRequired: session.challengeRequired,
      })
  return out.sort((a, b) => b.expiresAt.localeCompare(a.expiresAt)).slice(0, limit)
}

/**
 * Expires one web session now, by its {@link InspectedSession.id}: its next service call answers 421
 * (Find My 450) while the account's other sessions go on. False when no live session has that id.
 * Resolves once the change is durable.
 */
export async function expireSession(
  store: DurableStore,
  data: ICloudData,
  handle: string,
  now: number,
): Promise<boolean> {
  for (const [key, session] of data.webSessions)
    if (session.expiresAt > now && sessionHandle(key) === handle) {
      await store.write((tx) => tx.put('webSessions', key, { ...session, expiresAt: now - 1 }))
      return true
    }
  return false
}

/**
 * `GET /_emulator/icloud/sessions?appleId=` lists the account's web sessions ({@link InspectedSession});
 * `POST /_emulator/icloud/sessions` with `{ "expire": "<id>" }` expires that one session, answered once
 * durable (404 when no live session has the id).
 */
export function sessionsAdmin(store: DurableStore, data: ICloudData, now: () => number) {
  return async (request: EmulatorRequest): Promise<Reply> => {
    if (request.method === 'GET') {
      const appleId = request.url.searchParams.get('appleId')
      if (!appleId) return reply(400, { json: { error: 'Pass ?appleId= naming an account.' } })
      return reply(200, { json: { sessions: listSessions(data, appleId, now()) } })
    }
    const text = Buffer.from(request.body).toString('utf8').trim()
    const body = (text === '' ? {} : JSON.parse(text)) as { expire?: unknown }
    if (typeof body !== 'object' || body === null || typeof body.expire !== 'string')
      throw new Error('The body must be { "expire": "<session id from GET /_emulator/icloud/sessions>" }.')
    if (!(await expireSession(store, data, body.expire, now())))
      return reply(404, { json: { error: 'No live session has this id.' } })
    return reply(200, { json: { expired: body.expire } })
  }
}
