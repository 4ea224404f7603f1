import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { diagnoseICloudConversation, type ICloudConversationEvidence } from '../doctor/conversation.js'
import type { ICloudDiagnosis } from '../doctor/diagnose.js'
import { type ICloudContext, token } from './context.js'
import { header, requestCookies, setCookie } from './http-util.js'
import { ownOriginRole } from './own-origins.js'
import type { Conversation, SessionTokenRecord } from './state.js'

/** How many earlier scnt values a conversation remembers. */
const SCNT_HISTORY = 16
/** How long a conversation lives without a sign-in completing, ms. */
export const CONVERSATION_LIFETIME_MS = 15 * 60_000

/** A conversation found for a request, with the doctor's reading of how the request continued it. */
export interface LocatedConversation {
  readonly conversation: Conversation | undefined
  readonly diagnosis: ICloudDiagnosis
  /** The codes of the error findings that are errors only because the profile is `strict`. */
  readonly strictOnly: ReadonlySet<string>
}

/**
 * Finds the live conversation a request continues, the lenient way Apple seems to (docs/protocols/
 * icloud.md §12): by its `X-Apple-ID-Session-Id`, else by a session token sent in that header
 * (icloud.js, icloud-photos-sync), else by its `scnt`, the last one or an earlier one (pyicloud sends
 * one scnt twice). The diagnosis says what deviated; under the `strict` profile a deviation is an error.
 */
export function locateConversation(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
): LocatedConversation {
  const scnt = header(request, 'scnt')
  const sid = header(request, 'x-apple-id-session-id')
  const live = (c: Conversation | undefined) => (c && c.expiresAt >= ctx.now() ? c : undefined)
  let conversation: Conversation | undefined
  let sessionId: ICloudConversationEvidence['sessionId'] = sid ? 'unknown' : 'missing'
  if (sid) {
    conversation = live(ctx.data.conversations.get(sid))
    if (conversation) sessionId = 'issued'
    else {
      conversation = find(ctx, (c) => c.tokens?.includes(sid) === true)
      if (conversation) sessionId = 'session-token'
    }
  }
  if (!conversation && scnt)
    conversation = find(ctx, (c) => c.scnt === scnt || c.scnts?.includes(scnt) === true)
  const scntState: ICloudConversationEvidence['scnt'] = !scnt
    ? 'missing'
    : conversation?.scnt === scnt
      ? 'latest'
      : conversation?.scnts?.includes(scnt)
        ? 'earlier'
        : 'unknown'
  const evidence: ICloudConversationEvidence = {
    path,
    scnt: conversation ? scntState : scnt ? 'unknown' : 'missing',
    sessionId: conversation ? sessionId : sid ? 'unknown' : 'missing',
    aaspCookie: conversation?.aasp !== undefined && requestCookies(request).get('aasp') === conversation.aasp,
    origin: header(request, 'origin'),
    ...originRoleOf(ownOriginRole(header(request, 'origin'), ctx.origin, ctx.settings.hostName)),
    fdClientInfo: Boolean(
      header(request, 'x-apple-i-fd-client-info') || header(request, 'x-apple-fd-client-info'),
    ),
    authAttributes: Boolean(header(request, 'x-apple-auth-attributes')),
    headerRule: ctx.settings.headerProfile,
    profile: ctx.settings.profile,
  }
  const diagnosis = diagnoseICloudConversation(evidence)
  const lenient =
    ctx.settings.profile === 'strict'
      ? diagnoseICloudConversation({ ...evidence, profile: 'default' })
      : diagnosis
  const errorsByDefault = new Set(lenient.findings.filter((f) => f.severity === 'error').map((f) => f.code))
  const strictOnly = new Set<string>(
    diagnosis.findings
      .filter((f) => f.severity === 'error' && !errorsByDefault.has(f.code))
      .map((f) => f.code),
  )
  const usable = conversation && !diagnosis.findings.some((f) => f.code === 'conversation-unknown')
  return { conversation: usable ? conversation : undefined, diagnosis, strictOnly }
}

function originRoleOf(role: 'web' | 'idmsa' | undefined): { originRole?: 'web' | 'idmsa' } {
  return role === undefined ? {} : { originRole: role }
}

function find(ctx: ICloudContext, match: (c: Conversation) => boolean): Conversation | undefined {
  const now = ctx.now()
  for (const c of ctx.data.conversations.values()) if (c.expiresAt >= now && match(c)) return c
  return undefined
}

/** A new conversation (the page load or `signin/init` opens one). */
export function newConversation(ctx: ICloudContext, fields: Partial<Conversation> = {}): Conversation {
  return {
    appleId: '',
    accountName: '',
    scnt: token(18),
    sessionId: token(24),
    aasp: token(16),
    c: '',
    A: '',
    b: '',
    B: '',
    stage: 'page',
    expiresAt: ctx.now() + CONVERSATION_LIFETIME_MS,
    ...fields,
  }
}

/**
 * Rotates scnt (keeping the earlier ones) and auth attributes, saves the conversation, and returns the
 * headers every idmsa answer carries, the `aasp` cookie among them.
 */
export function conversationHeaders(
  ctx: ICloudContext,
  conversation: Conversation,
): Record<string, string | string[]> {
  conversation.scnts = [...(conversation.scnts ?? []), conversation.scnt].slice(-SCNT_HISTORY)
  conversation.scnt = token(18)
  conversation.aasp ??= token(16)
  saveConversation(ctx, conversation)
  const account = conversation.appleId ? ctx.data.accounts.get(conversation.appleId) : undefined
  return {
    scnt: conversation.scnt,
    'x-apple-id-session-id': conversation.sessionId,
    'x-apple-auth-attributes': token(30),
    ...(account ? { 'x-apple-id-account-country': account.region === 'cn' ? 'CHN' : 'USA' } : {}),
    'set-cookie': [setCookie('aasp', conversation.aasp, ctx.now() + 3_600_000, ctx)],
  }
}

/** Remembers a session token issued in `conversation` (a client may send it as the session id). */
export function rememberToken(conversation: Conversation, value: string): void {
  conversation.tokens = [...(conversation.tokens ?? []), value].slice(-SCNT_HISTORY)
}

/** Writes a conversation (its scnt and stage change on every answer). */
export function saveConversation(ctx: ICloudContext, conversation: Conversation): void {
  ctx.tx.put('conversations', conversation.sessionId, conversation)
}

/** The reply with the notes the doctor made about an accepted request (logged, never sent). */
export function withNotes(reply: Reply, notes: ICloudDiagnosis['findings']): Reply {
  return notes.length === 0 ? reply : { ...reply, findings: [...(reply.findings ?? []), ...notes] }
}

/** Issues a session token for the account and remembers it in the conversation. */
export function issueSessionToken(ctx: ICloudContext, conversation: Conversation, verified: boolean): string {
  const value = token(32)
  ctx.tx.put<SessionTokenRecord>('sessionTokens', value, {
    appleId: conversation.appleId,
    verified,
    expiresAt: ctx.now() + ctx.settings.sessionTokenLifetimeMs,
  })
  rememberToken(conversation, value)
  return value
}
