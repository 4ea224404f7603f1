import { fromBase64, toBase64 } from '@sigwire/core'
import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { WIDGET_KEY } from '../constants.js'
import type { ICloudDiagnosis, ICloudSignInEvidence } from '../doctor/diagnose.js'
import { ICLOUD_FINDINGS } from '../doctor/findings.js'
import { normalizeAppleId } from '../session/state.js'
import { derivePasswordKeySync } from '../srp/password.js'
import { computeVerifier, createServerChallenge, verifyClientProof } from '../srp/server.js'
import { authorizePage } from './authorize.js'
import { type ICloudContext, token } from './context.js'
import {
  conversationHeaders,
  issueSessionToken,
  type LocatedConversation,
  locateConversation,
  newConversation,
  saveConversation,
  withNotes,
} from './conversation.js'
import { answer, header, iCloudError, iCloudFailure, requestJson, serviceErrors } from './http-util.js'
import type { Conversation, EmulatedAccount } from './state.js'
import { handleTwoFactor } from './two-factor.js'

const WRONG_PASSWORD = () =>
  serviceErrors('-20101', 'Check the account information you entered and try again.')

/**
 * The header check of every idmsa call (before its body is read): the widget key identifies the web
 * client (docs/protocols/icloud.md §2.2). The `authorize/signin` page load carries it as `client_id` in
 * the query instead (pyicloud and rclone load it with their session headers only, §12).
 */
export function checkWidgetKey(request: EmulatorRequest): void {
  if (
    header(request, 'x-apple-widget-key') === WIDGET_KEY ||
    header(request, 'x-apple-oauth-client-id') === WIDGET_KEY
  )
    return
  if (
    request.method === 'GET' &&
    request.url.pathname.endsWith('/authorize/signin') &&
    request.url.searchParams.get('client_id') === WIDGET_KEY
  )
    return
  throw iCloudError(
    400,
    '-20600',
    serviceErrors('-20600', 'Missing or wrong X-Apple-Widget-Key (docs/protocols/icloud.md §2.2).'),
    {
      auth: true,
      explanation:
        'The request has no X-Apple-Widget-Key (or X-Apple-OAuth-Client-Id) of the iCloud web client.',
    },
  )
}

/** The doctor's finding for a request refused by {@link checkWidgetKey}. */
export function widgetKeyDiagnosis(request: EmulatorRequest): ICloudDiagnosis {
  return {
    ok: false,
    findings: [
      ICLOUD_FINDINGS.finding(
        'widget-key-missing',
        `${request.method} ${request.url.pathname} came without the web client's widget key.`,
      ),
    ],
  }
}

/** Answers `/appleauth/auth/...` (idmsa). `path` is the part after `/appleauth/auth`. */
export async function handleIdmsa(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
): Promise<Reply> {
  const method = request.method
  if (method === 'GET' && path === '/authorize/signin') return authorizePage(ctx)
  if (method === 'POST' && path === '/federate') return federate(ctx, request)
  if (method === 'POST' && path === '/signin/init') return signinInit(ctx, request)
  if (method === 'POST' && path === '/signin/complete') return signinComplete(ctx, request)
  if (method === 'POST' && path === '/signin' && ctx.settings.legacyAuth) return legacySignin(ctx, request)

  const located = locateConversation(ctx, request, path)
  const conversation = located.conversation
  if (!conversation)
    throw refusal(
      401,
      serviceErrors('-20101', 'No sign-in conversation for this scnt and session id.'),
      located,
    )
  if (!located.diagnosis.ok) {
    // Refused by the 2026 rule or by the strict profile; the scnt still rotates, as Apple's answers do.
    throw refusal(401, refusedBody(located), located, conversationHeaders(ctx, conversation))
  }
  const notes = located.diagnosis.findings
  if (method === 'POST' && path === '/repair/complete')
    return withNotes(repairComplete(ctx, conversation), notes)
  return withNotes(await handleTwoFactor(ctx, request, path, conversation), notes)
}

/**
 * The body of a 401 the conversation check makes: Apple's `-20209` shape with one service error per
 * error finding, each saying which check refused the request (its finding code, the profile when the
 * strict profile made it an error), what was wrong and what to change, so a client's log says why.
 */
function refusedBody(located: LocatedConversation): unknown {
  const errors = located.diagnosis.findings.filter((f) => f.severity === 'error')
  return {
    serviceErrors: errors.map((f) => ({
      code: '-20209',
      message: `sigwire emulator refused (${f.code}${located.strictOnly.has(f.code) ? ', strict profile' : ''}): ${f.message} Fix: ${f.fix}`,
      suppressDismissal: false,
    })),
    hasError: true,
  }
}

/** A refusal carrying the doctor's reading of the conversation (the log shows it). */
function refusal(
  status: number,
  body: unknown,
  located: LocatedConversation,
  headers?: Record<string, string | string[]>,
) {
  return iCloudFailure(status, body, headers, located.diagnosis.findings)
}

/**
 * `POST {auth}/federate?isRememberMeEnabled=true` `{accountName, rememberMe}`: rclone asks whether the
 * Apple ID signs in elsewhere (`authFederate`) between the page load and `signin/init`. An emulated
 * account never does: 200 `{}` continuing the page's conversation (DECISION, docs/protocols/icloud.md §12).
 */
function federate(ctx: ICloudContext, request: EmulatorRequest): Reply {
  const located = locateConversation(ctx, request, '/federate')
  const page = located.conversation?.stage === 'page' ? located.conversation : undefined
  const conversation = page ?? newConversation(ctx)
  return withNotes(
    answer(200, {}, conversationHeaders(ctx, conversation)),
    page ? located.diagnosis.findings : [],
  )
}

function signinInit(ctx: ICloudContext, request: EmulatorRequest): Reply {
  const body = requestJson<{ a?: string; accountName?: string; protocols?: string[] }>(request)
  if (!body?.a || typeof body.accountName !== 'string')
    throw iCloudFailure(400, serviceErrors('-20000', 'signin/init needs a and accountName.'))
  const account = ctx.accounts.get(body.accountName)
  // Unknown accounts get a decoy challenge, so init never reveals whether an Apple ID exists.
  const verifier = account
    ? Buffer.from(account.verifier, 'hex')
    : computeVerifier(new Uint8Array(32), new Uint8Array(16))
  const challenge = createServerChallenge(verifier, {
    ...(ctx.settings.forceLeadingZeroB ? { accept: (B: bigint) => B < 1n << 2040n } : {}),
  })
  // The authorize/signin page load opened the conversation (pyicloud); rclone and older clients start here.
  const located =
    header(request, 'scnt') || header(request, 'x-apple-id-session-id')
      ? locateConversation(ctx, request, '/signin/init')
      : undefined
  const page = located?.conversation?.stage === 'page' ? located.conversation : undefined
  const conversation: Conversation = page ?? newConversation(ctx)
  Object.assign(conversation, {
    appleId: account?.appleId ?? normalizeAppleId(body.accountName),
    accountName: body.accountName,
    c: `d-${Math.floor(ctx.now() / 1000)}-${token(8)}:MSA`,
    A: body.a,
    b: toBase64(challenge.b),
    B: toBase64(challenge.B),
    stage: 'init',
  } satisfies Partial<Conversation>)
  saveConversation(ctx, conversation)
  const protocol = account?.protocol ?? 's2k'
  if (body.protocols && !body.protocols.includes(protocol))
    throw iCloudFailure(400, serviceErrors('-20000', `This account needs protocol ${protocol}.`))
  return withNotes(
    answer(
      200,
      {
        iteration: account?.iterations ?? 1000,
        salt: account?.salt ?? toBase64(new Uint8Array(16)),
        protocol,
        b: conversation.B,
        c: conversation.c,
      },
      conversationHeaders(ctx, conversation),
    ),
    page ? located!.diagnosis.findings : [],
  )
}

function signinComplete(ctx: ICloudContext, request: EmulatorRequest): Reply {
  const body = requestJson<{
    accountName?: string
    c?: string
    m1?: string
    m2?: string
    trustTokens?: unknown
  }>(request)
  const located = locateConversation(ctx, request, '/signin/complete')
  const conversation = located.diagnosis.ok ? located.conversation : undefined
  const refuse = () =>
    withNotes(
      answer(
        400,
        serviceErrors(
          '-20000',
          'signin/complete does not continue a signin/init conversation (c, scnt or X-Apple-ID-Session-Id).',
        ),
      ),
      located.diagnosis.findings,
    )
  if (!conversation || !body) return refuse()
  const account = ctx.data.accounts.get(conversation.appleId)
  let evidence: ICloudSignInEvidence | undefined
  if (account && typeof body.m1 === 'string' && typeof body.accountName === 'string') {
    try {
      evidence = {
        // M1 hashes the account name exactly as received (docs/protocols/icloud.md §10).
        accountName: body.accountName,
        initAccountName: conversation.accountName,
        salt: fromBase64(account.salt),
        iterations: account.iterations,
        protocol: account.protocol,
        verifier: new Uint8Array(Buffer.from(account.verifier, 'hex')),
        A: fromBase64(conversation.A),
        b: fromBase64(conversation.b),
        B: fromBase64(conversation.B),
        m1: fromBase64(body.m1),
        ...(typeof body.m2 === 'string' ? { m2: fromBase64(body.m2) } : {}),
        cIssued: conversation.c,
        ...(typeof body.c === 'string' ? { cReceived: body.c } : {}),
      }
      // Kept for the doctor before any check, so a refused complete can be explained too.
      ctx.evidence.set(account.appleId, evidence)
    } catch {
      evidence = undefined
    }
  }
  if (body.c !== conversation.c || conversation.stage !== 'init') return refuse()
  const headers = conversationHeaders(ctx, conversation)
  const wrongPassword = (explanation: string) =>
    iCloudError(401, '-20101', WRONG_PASSWORD(), { headers, auth: true, explanation })
  if (!account || !evidence) throw wrongPassword('No such account, or M1 is not base64.')
  const result = verifyClientProof(evidence)
  if (!result.ok) throw wrongPassword('The client proof M1 does not verify with the stored verifier.')
  ctx.tx.put('proofVariants', account.appleId, [
    ...(ctx.data.proofVariants.get(account.appleId) ?? []),
    result.variant,
  ])
  return withNotes(
    afterPassword(ctx, account, conversation, trustTokensOf(body.trustTokens), headers),
    located.diagnosis.findings,
  )
}

/** `trustTokens` as sent: icloud-photos-sync sends `[null]` before it has one. */
function trustTokensOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : []
}

function afterPassword(
  ctx: ICloudContext,
  account: EmulatedAccount,
  conversation: Conversation,
  trustTokens: readonly string[],
  headers: Record<string, string | string[]>,
): Reply {
  const trusted = trustTokens.some((t) => {
    const record = ctx.data.trustTokens.get(t)
    return record?.appleId === account.appleId && record.expiresAt > ctx.now()
  })
  if (account.secondFactor === 'hsa2' && !trusted) {
    conversation.stage = 'awaiting-code'
    if ((account.securityKeys ?? []).length > 0) conversation.fsaChallenge = token(32)
    const sessionToken = issueSessionToken(ctx, conversation, false)
    saveConversation(ctx, conversation)
    return answer(
      409,
      { authType: 'hsa2' },
      { ...headers, 'x-apple-session-token': sessionToken, 'x-apple-twosv-trust-eligible': 'true' },
    )
  }
  if (account.repair && account.secondFactor === 'none') {
    conversation.stage = 'repair'
    saveConversation(ctx, conversation)
    return answer(412, { authType: 'non-sa' }, headers)
  }
  conversation.stage = 'done'
  const sessionToken = issueSessionToken(ctx, conversation, true)
  saveConversation(ctx, conversation)
  return answer(
    200,
    {
      authType: account.secondFactor === 'hsa2' ? 'hsa2' : account.secondFactor === '2sa' ? 'hsa' : 'non-sa',
    },
    { ...headers, 'x-apple-session-token': sessionToken },
  )
}

function repairComplete(ctx: ICloudContext, conversation: Conversation): Reply {
  const headers = conversationHeaders(ctx, conversation)
  if (conversation.stage !== 'repair')
    throw iCloudFailure(400, serviceErrors('-20000', 'Nothing to repair.'), headers)
  conversation.stage = 'done'
  const sessionToken = issueSessionToken(ctx, conversation, true)
  saveConversation(ctx, conversation)
  return answer(204, undefined, { ...headers, 'x-apple-session-token': sessionToken })
}

function legacySignin(ctx: ICloudContext, request: EmulatorRequest): Reply {
  const body = requestJson<{ accountName?: string; password?: string; trustTokens?: unknown }>(request)
  const account = body?.accountName ? ctx.accounts.get(body.accountName) : undefined
  if (!account || typeof body?.password !== 'string' || !passwordMatches(account, body.password))
    throw iCloudFailure(401, WRONG_PASSWORD())
  const conversation = newConversation(ctx, {
    appleId: account.appleId,
    accountName: account.appleId,
    stage: 'init',
  })
  return afterPassword(
    ctx,
    account,
    conversation,
    trustTokensOf(body.trustTokens),
    conversationHeaders(ctx, conversation),
  )
}

/** Checks a plaintext password against the stored verifier (the password itself is never stored). */
export function passwordMatches(account: EmulatedAccount, password: string): boolean {
  const salt = fromBase64(account.salt)
  const key = derivePasswordKeySync(password, salt, account.iterations, account.protocol)
  return Buffer.from(computeVerifier(key, salt)).toString('hex') === account.verifier
}
