import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto'
import { percentDecode, type ReceivedRequest, receivedHeader } from '@sigwire/core'
import type { CloudKitPath } from '../client/address.js'
import {
  HEADER_DATE,
  HEADER_KEY_ID,
  HEADER_SIGNATURE,
  PARAM_API_TOKEN,
  PARAM_WEB_AUTH_TOKEN,
} from '../constants.js'
import { type EmptyBodyHashRule, verifyCloudKitRequest } from '../signing/verify.js'
import type { Principal } from './context.js'
import { CloudKitFailure } from './errors.js'
import type { EmulatorState } from './state.js'

/** How strictly requests are checked. */
export interface AuthSettings {
  readonly verify: boolean
  readonly dateWindowSeconds: number
  readonly emptyBodyHash: EmptyBodyHashRule
  readonly s2sOnUserDatabases: 'reject' | 'allow'
  readonly webAuthTokenReuse: 'reject' | 'allow-until-expiry'
}

/** Keys and API tokens of one container environment. */
export interface ScopeCredentials {
  readonly keys: ReadonlyArray<{ keyId: string; key: KeyObject }>
  readonly apiTokens: ReadonlySet<string>
}

/** Why a request was rejected (what `emulator.rejections` records). */
export interface AuthRejection {
  /** A verifier reason (`SIGNATURE_MISMATCH`, `DATE_OUT_OF_WINDOW`, ...) or a policy reason (`S2S_ON_USER_DATABASE`, ...). */
  readonly reason: string
  readonly message: string
  /** The token the failure is about, when the verifier named one. */
  readonly token?: string
  /** True when the request was server-to-server signed (the doctor can analyse it). */
  readonly signed: boolean
}

/** The outcome of authenticating one request. */
export type AuthOutcome =
  | { readonly ok: true; readonly principal: Principal; readonly sessionToken?: string }
  | { readonly ok: false; readonly failure: CloudKitFailure; readonly rejection: AuthRejection }

/** A web auth token's lifetime (DOC: 30 minutes; §3). */
export const SESSION_LIFETIME_MS = 30 * 60_000

/**
 * Authenticates a request the way CloudKit does (protocols/cloudkit.md §2, §3, §7): a server-to-server
 * signature verified with the exported verifier over the bytes received (key registered for this
 * container and environment, date window, DER, query included, empty-body rule), or an API token with
 * an optional percent-encoded, single-use web auth token.
 */
export function authenticate(
  request: ReceivedRequest,
  route: CloudKitPath,
  credentials: ScopeCredentials | undefined,
  settings: AuthSettings,
  state: EmulatorState,
  scope: string,
  now: number,
  developer: string,
): AuthOutcome {
  if (!settings.verify) return { ok: true, principal: { kind: 'developer', userRecordName: developer } }
  const query = rawQuery(request.target)
  const s2s = [HEADER_KEY_ID, HEADER_DATE, HEADER_SIGNATURE].some(
    (h) => receivedHeader(request, h) !== undefined,
  )
  const reject = (reason: string, message: string, token?: string, signed = s2s): AuthOutcome => ({
    ok: false,
    failure: new CloudKitFailure('AUTHENTICATION_FAILED', 'Authentication failed'),
    rejection: { reason, message, signed, ...(token ? { token } : {}) },
  })
  if (credentials === undefined)
    return reject(
      'UNKNOWN_CONTAINER',
      `Container ${route.container} (${route.environment}) is not configured in this emulator.`,
    )

  if (s2s) {
    if (query.has(PARAM_API_TOKEN))
      return reject(
        'S2S_WITH_API_TOKEN',
        'The request carries both server-to-server headers and ckAPIToken; send one or the other.',
      )
    const keyId = receivedHeader(request, HEADER_KEY_ID)
    const key = credentials.keys.find((k) => k.keyId === keyId)
    if (keyId !== undefined && key === undefined)
      return reject(
        'UNKNOWN_KEY_ID',
        `Key ID ${keyId} is not registered for ${route.container} (${route.environment}).`,
        'key-id',
      )
    const verdict = verifyCloudKitRequest(request, {
      publicKey: key?.key ?? credentials.keys[0]?.key ?? placeholderKey(),
      now,
      windowSeconds: settings.dateWindowSeconds,
      emptyBodyHash: settings.emptyBodyHash,
    })
    if (!verdict.ok) return reject(verdict.reason, verdict.message, verdict.token)
    if (
      route.database !== 'public' &&
      route.database !== undefined &&
      settings.s2sOnUserDatabases === 'reject'
    )
      return reject(
        'S2S_ON_USER_DATABASE',
        `Server-to-server keys reach only the public database, not ${route.database}.`,
      )
    return { ok: true, principal: { kind: 'developer', userRecordName: developer } }
  }

  const apiToken = query.get(PARAM_API_TOKEN)
  if (apiToken === undefined)
    return reject('NO_AUTHENTICATION', 'The request has neither server-to-server headers nor ckAPIToken.')
  const apiTokenText = safeDecode(apiToken)
  if (apiTokenText === undefined || !credentials.apiTokens.has(apiTokenText))
    return reject(
      'UNKNOWN_API_TOKEN',
      `The API token is not valid for ${route.container} (${route.environment}).`,
    )
  const rawWebToken = query.get(PARAM_WEB_AUTH_TOKEN)
  if (rawWebToken === undefined)
    return { ok: true, principal: { kind: 'anonymous', userRecordName: undefined } }
  // DOC: + / = must be percent-encoded; raw ones are rejected (§3).
  if (/[+/= ]/.test(rawWebToken))
    return reject(
      'WEB_AUTH_TOKEN_NOT_ENCODED',
      'ckWebAuthToken has raw +, / or = characters; percent-encode it (%2B %2F %3D).',
    )
  const token = safeDecode(rawWebToken)
  const session = token === undefined ? undefined : state.sessions[token]
  if (session === undefined || session.scope !== scope)
    return reject('WEB_AUTH_TOKEN_UNKNOWN', 'ckWebAuthToken is not a token this container issued.')
  if (session.expiresAt < now)
    return {
      ok: false,
      failure: new CloudKitFailure('AUTHENTICATION_REQUIRED', 'request needs authorization'),
      rejection: {
        reason: 'WEB_AUTH_TOKEN_EXPIRED',
        message: 'The web auth token expired; sign in again.',
        signed: false,
      },
    }
  if (session.used && settings.webAuthTokenReuse === 'reject')
    return reject(
      'WEB_AUTH_TOKEN_REUSED',
      'This web auth token was already used; each token is good for one request, use the one from X-Apple-CloudKit-Web-Auth-Token.',
    )
  return {
    ok: true,
    principal: { kind: 'user', userRecordName: session.userRecordName },
    sessionToken: token!,
  }
}

/**
 * Issues a web auth token for a user. Tokens are standard base64 (with `+`, `/` and `=`), so clients
 * that forget to percent-encode them fail here as they would against the live service.
 */
export function issueSession(
  state: EmulatorState,
  scope: string,
  userRecordName: string,
  now: number,
): string {
  let token: string
  do token = randomBytes(35).toString('base64')
  while (!/[+/]/.test(token))
  state.sessions[token] = { userRecordName, scope, expiresAt: now + SESSION_LIFETIME_MS, used: false }
  return token
}

/** Marks a token used and issues its successor (sent back in `X-Apple-CloudKit-Web-Auth-Token`). */
export function rotateSession(state: EmulatorState, token: string, now: number): string {
  const session = state.sessions[token]!
  session.used = true
  const next = issueSession(state, session.scope, session.userRecordName, now)
  // Forget long-expired tokens so the state does not grow without bound.
  for (const [t, s] of Object.entries(state.sessions))
    if (s.expiresAt < now - SESSION_LIFETIME_MS) delete state.sessions[t]
  return next
}

/** Query parameters by name with their raw (undecoded) values. */
function rawQuery(target: string): Map<string, string> {
  const out = new Map<string, string>()
  const q = target.indexOf('?')
  if (q === -1) return out
  for (const pair of target.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=')
    const name = safeDecode(eq === -1 ? pair : pair.slice(0, eq)) ?? pair
    if (!out.has(name)) out.set(name, eq === -1 ? '' : pair.slice(eq + 1))
  }
  return out
}

function safeDecode(text: string): string | undefined {
  try {
    return percentDecode(text)
  } catch {
    return undefined
  }
}

let placeholder: KeyObject | undefined
/** A key that verifies nothing, for containers with no registered key (the verifier still reports header problems first). */
function placeholderKey(): KeyObject {
  placeholder ??= generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey
  return placeholder
}
