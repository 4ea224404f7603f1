import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto'
import { parseIsoSeconds, percentDecode, type ReceivedRequest, receivedHeader } from '@sigwire/core'
import type { EmulatorError, Transaction } from '@sigwire/emulator-kit'
import type { CloudKitData, Principal, StoredSession } from '@sigwire/emulator-kit/cloudkit'
import { cloudKitError } from '@sigwire/emulator-kit/cloudkit'
import type { CloudKitPath } from '../client/address.js'
import {
  HEADER_DATE,
  HEADER_KEY_ID,
  HEADER_SIGNATURE,
  PARAM_API_TOKEN,
  PARAM_WEB_AUTH_TOKEN,
} from '../constants.js'
import { type EmptyBodyHashRule, verifyCloudKitRequest } from '../signing/verify.js'

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
  /** What is wrong, in words, without secrets. */
  readonly message: string
  /** The token the failure is about, when the verifier named one. */
  readonly token?: string
  /** True when the request was server-to-server signed (the doctor can analyse it). */
  readonly signed: boolean
}

/**
 * What the header phase decided: who calls, and, for a server-to-server request whose headers
 * passed, the key its signature must still verify with once the body is read.
 */
export interface HeaderAuth {
  readonly principal: Principal
  /** The web auth token to rotate after the request. */
  readonly sessionToken?: string
  /** Set for a signed request: verified over the body in the body phase. */
  readonly pendingKey?: KeyObject
}

/** A web auth token's lifetime (DOC: 30 minutes; §3). */
export const SESSION_LIFETIME_MS = 30 * 60_000

/** True when the request carries any of the server-to-server headers. */
export function isSigned(request: ReceivedRequest): boolean {
  return [HEADER_KEY_ID, HEADER_DATE, HEADER_SIGNATURE].some((h) => receivedHeader(request, h) !== undefined)
}

function refuse(reason: string, message: string, token?: string): EmulatorError {
  return cloudKitError('AUTHENTICATION_FAILED', 'Authentication failed', {
    kind: 'auth',
    logReason: reason,
    explanation: message,
    ...(token ? { token } : {}),
  })
}

/** A web auth token that no longer signs the user in: 421 with the sign-in URL, as for no token (§3). */
function signInAgain(reason: string, message: string, signInUrl: string): EmulatorError {
  return cloudKitError('AUTHENTICATION_REQUIRED', 'request needs authorization', {
    kind: 'auth',
    logReason: reason,
    explanation: message,
    redirectURL: signInUrl,
  })
}

/**
 * The header phase of CloudKit authentication (docs/protocols/cloudkit.md §2, §3, §7), run before the
 * body is read: the container must be configured; a server-to-server request must name a key
 * registered for it, and its headers and date must pass the verifier's own checks (only the signature,
 * which covers the body hash, is left for the body phase); an API token must be valid, and a web auth
 * token percent-encoded and known; an expired one (or, with `webAuthTokenReuse: 'reject'`, a used one)
 * answers AUTHENTICATION_REQUIRED with `signInUrl` as the `redirectURL`.
 */
export function authenticateHeaders(
  request: ReceivedRequest,
  route: CloudKitPath,
  credentials: ScopeCredentials | undefined,
  settings: AuthSettings,
  data: CloudKitData,
  scope: string,
  now: number,
  developer: string,
  signInUrl: string,
): HeaderAuth {
  if (!settings.verify) return { principal: { kind: 'developer', userRecordName: developer } }
  const query = rawQuery(request.target)
  const s2s = isSigned(request)
  if (credentials === undefined)
    throw refuse(
      'UNKNOWN_CONTAINER',
      `Container ${route.container} (${route.environment}) is not configured in this emulator.`,
    )

  if (s2s) {
    if (query.has(PARAM_API_TOKEN))
      throw refuse(
        'S2S_WITH_API_TOKEN',
        'The request carries both server-to-server headers and ckAPIToken; send one or the other.',
      )
    const keyId = receivedHeader(request, HEADER_KEY_ID)
    const key = credentials.keys.find((k) => k.keyId === keyId)
    if (keyId !== undefined && key === undefined)
      throw refuse(
        'UNKNOWN_KEY_ID',
        `Key ID ${keyId} is not registered for ${route.container} (${route.environment}).`,
        'key-id',
      )
    const publicKey = key?.key ?? credentials.keys[0]?.key ?? placeholderKey()
    if (!headersPass(request, now, settings.dateWindowSeconds)) {
      // The verifier fails on a header before it reaches the signature: its verdict does not depend on the body.
      const verdict = verifyCloudKitRequest(
        { ...request, body: new Uint8Array(0) },
        {
          publicKey,
          now,
          windowSeconds: settings.dateWindowSeconds,
          emptyBodyHash: settings.emptyBodyHash,
        },
      )
      if (!verdict.ok) throw refuse(verdict.reason, verdict.message, verdict.token)
    }
    return { principal: { kind: 'developer', userRecordName: developer }, pendingKey: publicKey }
  }

  const apiToken = query.get(PARAM_API_TOKEN)
  if (apiToken === undefined)
    throw refuse('NO_AUTHENTICATION', 'The request has neither server-to-server headers nor ckAPIToken.')
  const apiTokenText = safeDecode(apiToken)
  if (apiTokenText === undefined || !credentials.apiTokens.has(apiTokenText))
    throw refuse(
      'UNKNOWN_API_TOKEN',
      `The API token is not valid for ${route.container} (${route.environment}).`,
    )
  const rawWebToken = query.get(PARAM_WEB_AUTH_TOKEN)
  if (rawWebToken === undefined) return { principal: { kind: 'anonymous', userRecordName: undefined } }
  // DOC: + / = must be percent-encoded; raw ones are rejected (§3).
  if (/[+/= ]/.test(rawWebToken))
    throw refuse(
      'WEB_AUTH_TOKEN_NOT_ENCODED',
      'ckWebAuthToken has raw +, / or = characters; percent-encode it (%2B %2F %3D).',
    )
  const token = safeDecode(rawWebToken)
  const session = token === undefined ? undefined : data.sessions().get(token)
  if (session === undefined || session.scope !== scope)
    throw refuse('WEB_AUTH_TOKEN_UNKNOWN', 'ckWebAuthToken is not a token this container issued.')
  if (session.expiresAt < now)
    throw signInAgain('WEB_AUTH_TOKEN_EXPIRED', 'The web auth token expired; sign in again.', signInUrl)
  // DOC says a used token is no longer valid; the live service was seen accepting one (§3), which is
  // the default (`allow-until-expiry`). `reject` follows DOC: the token no longer signs anyone in.
  if (session.used && settings.webAuthTokenReuse === 'reject')
    throw signInAgain(
      'WEB_AUTH_TOKEN_REUSED',
      'This web auth token was already used; each token is good for one request, use the one from X-Apple-CloudKit-Web-Auth-Token.',
      signInUrl,
    )
  return { principal: { kind: 'user', userRecordName: session.userRecordName }, sessionToken: token! }
}

/**
 * The body phase: the signature of a server-to-server request, verified with the exported verifier
 * over the bytes received (date window, DER, query included, empty-body rule), then the policy that
 * keys reach only the public database.
 */
export function authenticateBody(
  request: ReceivedRequest,
  route: CloudKitPath,
  auth: HeaderAuth,
  settings: AuthSettings,
  now: number,
): HeaderAuth {
  if (auth.pendingKey === undefined) return auth
  const verdict = verifyCloudKitRequest(request, {
    publicKey: auth.pendingKey,
    now,
    windowSeconds: settings.dateWindowSeconds,
    emptyBodyHash: settings.emptyBodyHash,
  })
  if (!verdict.ok) throw refuse(verdict.reason, verdict.message, verdict.token)
  if (route.database !== 'public' && route.database !== undefined && settings.s2sOnUserDatabases === 'reject')
    throw refuse(
      'S2S_ON_USER_DATABASE',
      `Server-to-server keys reach only the public database, not ${route.database}.`,
    )
  return { principal: auth.principal }
}

/** The header checks the verifier makes before the signature: all three headers, a strict date in the window. */
function headersPass(request: ReceivedRequest, now: number, windowSeconds: number): boolean {
  const date = receivedHeader(request, HEADER_DATE)
  if (receivedHeader(request, HEADER_KEY_ID) === undefined || date === undefined) return false
  if (receivedHeader(request, HEADER_SIGNATURE) === undefined) return false
  try {
    return Math.abs(parseIsoSeconds(date).getTime() - now) <= windowSeconds * 1000
  } catch {
    return false
  }
}

/**
 * Issues a web auth token for a user. Tokens are standard base64 (with `+`, `/` and `=`), so clients
 * that forget to percent-encode them fail here as they would against the live service.
 */
export function issueSession(tx: Transaction, scope: string, userRecordName: string, now: number): string {
  let token: string
  do token = randomBytes(35).toString('base64')
  while (!/[+/]/.test(token))
  tx.put<StoredSession>('sessions', token, {
    userRecordName,
    scope,
    expiresAt: now + SESSION_LIFETIME_MS,
    used: false,
  })
  return token
}

/** Marks a token used and issues its successor (sent back in `X-Apple-CloudKit-Web-Auth-Token`). */
export function rotateSession(data: CloudKitData, tx: Transaction, token: string, now: number): string {
  const session = data.sessions().get(token)!
  tx.put<StoredSession>('sessions', token, { ...session, used: true })
  const next = issueSession(tx, session.scope, session.userRecordName, now)
  // Forget long-expired tokens so the state does not grow without bound.
  for (const [t, s] of data.sessions()) if (s.expiresAt < now - SESSION_LIFETIME_MS) tx.delete('sessions', t)
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
