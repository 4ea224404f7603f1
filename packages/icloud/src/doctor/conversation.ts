import type { ICloudDiagnosis } from './diagnose.js'
import { ICLOUD_FINDINGS, type ICloudFinding, type ICloudFindingCode } from './findings.js'

/**
 * What a server saw of one idmsa call that continues a sign-in conversation: how each conversation
 * header compares with what the server issued (never the values themselves).
 */
export interface ICloudConversationEvidence {
  /** The path after `/appleauth/auth` (`/signin/complete`, `/verify/phone/securitycode`, `/2sv/trust`...). */
  readonly path: string
  /** The `scnt` sent: the last one issued, an earlier one of the conversation, none, or one never issued. */
  readonly scnt: 'latest' | 'earlier' | 'missing' | 'unknown'
  /**
   * The `X-Apple-ID-Session-Id` sent: the one issued, a session token of the conversation (icloud.js,
   * icloud-photos-sync), none, or one never issued.
   */
  readonly sessionId: 'issued' | 'session-token' | 'missing' | 'unknown'
  /** Whether the conversation's `aasp` cookie came back. */
  readonly aaspCookie: boolean
  /** The request's `Origin`. */
  readonly origin: string | undefined
  /** Whether `X-Apple-I-FD-Client-Info` (or `X-Apple-FD-Client-Info`) was sent. */
  readonly fdClientInfo: boolean
  /** Whether `X-Apple-Auth-Attributes` was sent. */
  readonly authAttributes: boolean
  /**
   * How a server that stands in for Apple (the emulator) classes an `Origin` naming the server itself:
   * `web` when it plays `https://www.icloud.com` (a client whose home endpoint is the server sends that
   * origin where it would send `https://www.icloud.com`), `idmsa` when it plays `https://idmsa.apple.com`.
   * Absent for any other origin.
   */
  readonly originRole?: 'web' | 'idmsa'
  /** `2026` applies the two-factor header rule to `verify/*` and `2sv/trust`. Default `2026`. */
  readonly headerRule?: '2026' | 'lenient'
  /** `strict` makes the deviations the default profile accepts into errors. Default `default`. */
  readonly profile?: 'default' | 'strict'
}

const WEB_ORIGINS = new Set(['https://www.icloud.com', 'https://www.icloud.com.cn'])
const IDMSA_ORIGINS = new Set(['https://idmsa.apple.com', 'https://idmsa.apple.com.cn'])

/** True for the idmsa calls the 2026 two-factor header rule covers (docs/protocols/icloud.md §2.2). */
export function isMfaCall(path: string): boolean {
  return path.startsWith('/verify/') || path === '/2sv/trust'
}

/**
 * Says how an idmsa call deviates from the conversation Apple's web client keeps
 * (docs/protocols/icloud.md §2.2, §2.3, §9 rows 7, 11 and 14, §12, §21). Deviations that real clients
 * make and Apple is believed to accept (an earlier `scnt`, a missing session id, a session token sent
 * as the session id, the idmsa `Origin` on the two-factor calls) are notes by default and errors under
 * the `strict` profile; FD client info and auth attributes on the two-factor calls, which Apple is seen
 * to accept (§21), are notes under both; any other `Origin` on the two-factor calls and a conversation
 * that cannot be found are always errors.
 */
export function diagnoseICloudConversation(e: ICloudConversationEvidence): ICloudDiagnosis {
  const strict = e.profile === 'strict'
  const thin: 'error' | 'note' = strict ? 'error' : 'note'
  const findings: ICloudFinding[] = []
  const add = (code: ICloudFindingCode, message: string, severity: 'error' | 'note') =>
    findings.push(ICLOUD_FINDINGS.finding(code, message, { severity }))
  const lost =
    e.scnt === 'unknown' || (e.scnt === 'missing' && (e.sessionId === 'missing' || e.sessionId === 'unknown'))
  if (lost)
    add(
      'conversation-unknown',
      `${e.path}: neither the scnt nor the X-Apple-ID-Session-Id continues a live sign-in conversation.`,
      'error',
    )
  else {
    if (e.scnt === 'earlier')
      add('scnt-not-latest', `${e.path} carried an earlier scnt, not the one of the last answer.`, thin)
    if (e.scnt === 'missing') add('scnt-missing', `${e.path} carried no scnt.`, thin)
    if (e.sessionId === 'missing' || e.sessionId === 'unknown')
      add(
        'session-id-missing',
        `${e.path} carried ${e.sessionId === 'missing' ? 'no X-Apple-ID-Session-Id' : 'an X-Apple-ID-Session-Id idmsa never issued'}; the conversation was found by its scnt.`,
        thin,
      )
    if (e.sessionId === 'session-token')
      add(
        'session-id-is-session-token',
        `${e.path} carried the session token (X-Apple-Session-Token) as X-Apple-ID-Session-Id.`,
        thin,
      )
    if (!e.aaspCookie) add('aasp-cookie-missing', `${e.path} came without the aasp cookie.`, thin)
  }
  if ((e.headerRule ?? '2026') === '2026' && isMfaCall(e.path)) {
    // The idmsa origin is a note: rclone sends it on these calls and signs in (731f2a6c2, 2026-07),
    // while icloud-photos-sync's fix for iOS 26.4 (PR #1104) moved to the web origin (§12).
    const web = e.origin !== undefined && (WEB_ORIGINS.has(e.origin) || e.originRole === 'web')
    const idmsa = e.origin !== undefined && (IDMSA_ORIGINS.has(e.origin) || e.originRole === 'idmsa')
    if (!web)
      add(
        'mfa-origin',
        `${e.path} was sent with Origin ${e.origin ?? '(none)'}; since iOS 26.4 Apple expects two-factor calls from https://www.icloud.com${e.originRole === undefined ? '' : " (or this emulator's own web origin)"}.`,
        idmsa ? thin : 'error',
      )
    // Notes under both profiles: pyicloud (PR #210, #260) and rclone (731f2a6c2) send both headers on
    // these calls and Apple validated their codes in 2026 (docs/protocols/icloud.md §21).
    if (e.fdClientInfo)
      add(
        'mfa-fd-client-info',
        `${e.path} carried FD client info (X-Apple-I-FD-Client-Info or X-Apple-FD-Client-Info), which Apple's 2026 web client leaves off and Apple accepts.`,
        'note',
      )
    if (e.authAttributes)
      add(
        'mfa-auth-attributes',
        `${e.path} carried X-Apple-Auth-Attributes, which Apple's 2026 web client leaves off and Apple accepts.`,
        'note',
      )
  }
  const settled = ICLOUD_FINDINGS.settle(findings)
  return { ok: settled.every((f) => f.severity === 'note'), findings: settled }
}
