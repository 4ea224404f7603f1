import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { type ICloudContext, token } from '../context.js'
import { answer, iCloudFailure, requestJson } from '../http-util.js'
import type { EmulatedAccount } from '../state.js'
import type { FindMyState } from './handler.js'

/** How long an erase token stays usable (DECISION: nothing public says; docs/protocols/icloud.md §25). */
export const ERASE_TOKEN_LIFETIME_MS = 10 * 60_000

/**
 * `POST {setup}/fmipWebAuthenticate` with `{"dsWebAuthToken": <the sign-in's session token>}`: answers
 * `{"tokens":{"mmeFMIPWebEraseDeviceToken": …}}`, the token `remoteWipeWithUserAuth` takes as
 * `authToken` (pyicloud `services/findmyiphone.py` l. 405-414, docs/protocols/icloud.md §25). The
 * session token must be a verified one of the signed-in account (else 403). The token is kept durably,
 * for one erase, before the answer. Undefined for other paths.
 */
export function handleEraseToken(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  account: EmulatedAccount,
): Reply | undefined {
  if (request.method !== 'POST' || path !== '/fmipWebAuthenticate') return undefined
  const body = requestJson<{ dsWebAuthToken?: unknown }>(request)
  const sent = body?.dsWebAuthToken
  const record = typeof sent === 'string' && sent !== '' ? ctx.data.sessionTokens.get(sent) : undefined
  if (!record || record.appleId !== account.appleId || !record.verified || record.expiresAt <= ctx.now())
    throw iCloudFailure(403, {
      success: false,
      error: 'dsWebAuthToken is not a session token of this account',
    })
  const state: FindMyState = ctx.data.findmy.get(account.appleId) ?? {
    startedAt: ctx.now(),
    devices: Object.create(null),
    actions: [],
  }
  const now = ctx.now()
  const live = Object.entries(state.eraseTokens ?? {}).filter(([, expiresAt]) => expiresAt > now)
  const erase = token(32)
  const next: FindMyState = {
    ...state,
    eraseTokens: Object.assign(Object.create(null), Object.fromEntries(live.slice(-9)), {
      [erase]: now + ERASE_TOKEN_LIFETIME_MS,
    }),
  }
  ctx.tx.put('findmy', account.appleId, next)
  return answer(200, { tokens: { mmeFMIPWebEraseDeviceToken: erase } })
}

/**
 * Takes the erase token of a `remoteWipeWithUserAuth` out of `state` (one use); throws 403 when it is
 * missing, unknown or expired (DECISION, §25: 401 would make clients sign in again, which does not help).
 */
export function spendEraseToken(ctx: ICloudContext, state: FindMyState, authToken: unknown): void {
  const tokens = state.eraseTokens ?? {}
  const expiresAt =
    typeof authToken === 'string' && Object.hasOwn(tokens, authToken) ? tokens[authToken] : undefined
  if (expiresAt === undefined || expiresAt <= ctx.now())
    throw iCloudFailure(403, {
      statusCode: '403',
      error: 'authToken must be a live token from fmipWebAuthenticate',
    })
  const rest: Record<string, number> = Object.create(null)
  for (const [k, v] of Object.entries(tokens)) if (k !== authToken) rest[k] = v
  state.eraseTokens = rest
}
