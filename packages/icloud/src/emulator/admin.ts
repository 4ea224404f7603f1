import { type EmulatorRequest, type Reply, reply, type StatsCounter } from '@sigwire/emulator-kit'
import type { ICloudAccounts } from './accounts.js'

/**
 * The iCloud emulator's own counters of `GET /_emulator/stats`: `signIns` (SRP proofs accepted by
 * `signin/complete`: trusted, two-factor asked, or repair asked), `accountLogins` and `validates`
 * (answered 200).
 */
export const ICLOUD_COUNTERS: Readonly<Record<string, StatsCounter>> = {
  signIns: (entry, path) =>
    path.endsWith('/appleauth/auth/signin/complete') &&
    (entry.status === 200 || entry.status === 409 || entry.status === 412),
  accountLogins: (entry, path) => path.endsWith('/setup/ws/1/accountLogin') && entry.status === 200,
  validates: (entry, path) => path.endsWith('/setup/ws/1/validate') && entry.status === 200,
}

/**
 * `POST /_emulator/expire-sessions`: every web session expires now, so the next service call answers
 * 421 (body, all optional: `{ "appleId": "...", "sessionTokens": true, "trust": true }` to limit it to
 * one account, and to expire the idmsa session tokens too, so renewing needs a full sign-in, and the
 * trust tokens). Answered once the change is durable.
 */
export function expireSessionsAdmin(accounts: ICloudAccounts) {
  return async (request: EmulatorRequest): Promise<Reply> => {
    const text = Buffer.from(request.body).toString('utf8').trim()
    const body = (text === '' ? {} : JSON.parse(text)) as {
      appleId?: unknown
      sessionTokens?: unknown
      trust?: unknown
    }
    if (typeof body !== 'object' || body === null) throw new Error('The body must be a JSON object.')
    const ids = typeof body.appleId === 'string' ? [body.appleId] : accounts.list()
    for (const id of ids)
      accounts.expireSessions(id, { sessionTokens: body.sessionTokens === true, trust: body.trust === true })
    await accounts.written
    return reply(200, { json: { expired: ids } })
  }
}
