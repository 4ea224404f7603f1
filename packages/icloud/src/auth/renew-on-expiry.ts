import { REAUTH_STATUSES } from '../constants.js'
import { ICloudError } from '../errors.js'
import type { SessionResponse } from '../session/http.js'

/**
 * iCloud's authentication hook around one web-service call (the shape of octokit's auth hooks): an
 * answer of 421 or 450 (or 401) means the session cookies expired (docs/protocols/icloud.md §6.4), so the
 * session is renewed once (the saved session token, else a sign-in with the held password and trust
 * token, never asking for a code) and the call is sent again. Concurrent calls that hit an expired
 * session share one renewal, and a call sent before a renewal that completed meanwhile is only sent
 * again. The service refused the expired call, so sending it again is safe.
 */
export class SessionRenewal {
  readonly #renew: (signal: AbortSignal | undefined) => Promise<void>
  #pending: Promise<void> | undefined
  /** Renewals completed so far: a call sent before the latest one needs no renewal of its own. */
  #generation = 0

  /** `renew` signs in again without the user; it throws `AUTHENTICATION_REQUIRED` when it cannot. */
  constructor(renew: (signal: AbortSignal | undefined) => Promise<void>) {
    this.#renew = renew
  }

  /** Sends with `send`; after an expired-session answer, renews once and sends again. */
  async around(
    service: string,
    signal: AbortSignal | undefined,
    send: () => Promise<SessionResponse>,
  ): Promise<SessionResponse> {
    const sentIn = this.#generation
    const response = await send()
    if (!expired(response.status)) return response
    if (this.#generation === sentIn) await this.renew(signal)
    const again = await send()
    if (!expired(again.status)) return again
    throw new ICloudError({
      code: 'AUTHENTICATION_REQUIRED',
      status: again.status,
      message: `${service} still answers ${again.status} after signing in again; the session cannot be restored automatically. Call login() interactively.`,
    })
  }

  /** Renews the session; concurrent callers share one renewal. */
  renew(signal: AbortSignal | undefined): Promise<void> {
    this.#pending ??= this.#renew(signal).then(
      () => {
        this.#generation++
        this.#pending = undefined
      },
      (error: unknown) => {
        this.#pending = undefined
        throw error
      },
    )
    return this.#pending
  }
}

function expired(status: number): boolean {
  return REAUTH_STATUSES.has(status) || status === 401
}
