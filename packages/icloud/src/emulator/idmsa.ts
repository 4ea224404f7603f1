import { fromBase64, toBase64 } from '@sigwire/core'
import type { EmulatorRequest, Reply } from '@sigwire/emulator-kit'
import { WIDGET_KEY } from '../constants.js'
import type { ICloudSignInEvidence } from '../doctor/diagnose.js'
import { normalizeAppleId } from '../session/state.js'
import { derivePasswordKeySync } from '../srp/password.js'
import { computeVerifier, createServerChallenge, verifyClientProof } from '../srp/server.js'
import { type ICloudContext, token } from './context.js'
import {
  answer,
  header,
  iCloudError,
  iCloudFailure,
  requestJson,
  serviceErrors,
  setCookie,
} from './http-util.js'
import type { Conversation, EmulatedAccount, SessionTokenRecord } from './state.js'

const WRONG_PASSWORD = () =>
  serviceErrors('-20101', 'Check the account information you entered and try again.')
const WEB_ORIGINS = new Set(['https://www.icloud.com', 'https://www.icloud.com.cn'])

/**
 * The header check of every idmsa call (before its body is read): the widget key identifies the
 * web client (docs/protocols/icloud.md §2.2).
 */
export function checkWidgetKey(request: EmulatorRequest): void {
  if (
    header(request, 'x-apple-widget-key') !== WIDGET_KEY &&
    header(request, 'x-apple-oauth-client-id') !== WIDGET_KEY
  )
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

/** Answers `/appleauth/auth/...` (idmsa). `path` is the part after `/appleauth/auth`. */
export async function handleIdmsa(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
): Promise<Reply> {
  const method = request.method
  if (method === 'POST' && path === '/signin/init') return signinInit(ctx, request)
  if (method === 'POST' && path === '/signin/complete') return signinComplete(ctx, request)
  if (method === 'POST' && path === '/signin' && ctx.settings.legacyAuth) return legacySignin(ctx, request)

  const conversation = findConversation(ctx, request)
  if (!conversation)
    throw iCloudFailure(401, serviceErrors('-20101', 'No sign-in conversation for this scnt and session id.'))
  if (method === 'POST' && path === '/repair/complete') return repairComplete(ctx, conversation)
  if (method === 'GET' && path === '') return authOptions(ctx, conversation)
  if (path.startsWith('/verify/') || path === '/2sv/trust') {
    const broken = headerRuleViolation(ctx, request)
    if (broken)
      throw iCloudFailure(401, serviceErrors('-20209', broken), conversationHeaders(ctx, conversation))
  }
  if (method === 'PUT' && path === '/verify/trusteddevice/securitycode')
    return sendCode(ctx, conversation, 'device')
  if (method === 'GET' && path === '/verify/trusteddevice') return sendCode(ctx, conversation, 'device', 200)
  if (method === 'PUT' && path === '/verify/trusteddevice') throw iCloudFailure(405, undefined)
  if (method === 'PUT' && path === '/verify/phone') return sendPhoneCode(ctx, conversation, request)
  if (
    method === 'POST' &&
    (path === '/verify/trusteddevice/securitycode' || path === '/verify/phone/securitycode')
  )
    return validateCode(ctx, conversation, request)
  if (method === 'GET' && path === '/2sv/trust') return trust(ctx, conversation)
  throw iCloudFailure(404, serviceErrors('-20000', `No idmsa endpoint ${method} ${path}`))
}

function headerRuleViolation(ctx: ICloudContext, request: EmulatorRequest): string | undefined {
  if (ctx.settings.headerProfile !== '2026') return undefined
  const origin = header(request, 'origin')
  if (!origin || !WEB_ORIGINS.has(origin))
    return `2026 header rule: verify and trust calls need Origin https://www.icloud.com, not ${origin ?? 'none'}.`
  if (header(request, 'x-apple-i-fd-client-info') || header(request, 'x-apple-fd-client-info'))
    return '2026 header rule: verify and trust calls must not carry X-Apple-I-FD-Client-Info.'
  if (header(request, 'x-apple-auth-attributes'))
    return '2026 header rule: verify and trust calls must not carry X-Apple-Auth-Attributes.'
  return undefined
}

function findConversation(ctx: ICloudContext, request: EmulatorRequest): Conversation | undefined {
  const scnt = header(request, 'scnt')
  const sessionId = header(request, 'x-apple-id-session-id')
  if (!scnt || !sessionId) return undefined
  const conversation = [...ctx.data.conversations.values()].find((c) => c.sessionId === sessionId)
  if (!conversation || conversation.scnt !== scnt || conversation.expiresAt < ctx.now()) return undefined
  return conversation
}

/** Rotates scnt and auth attributes and returns the headers every idmsa answer carries. */
function conversationHeaders(
  ctx: ICloudContext,
  conversation: Conversation,
): Record<string, string | string[]> {
  conversation.scnt = token(18)
  saveConversation(ctx, conversation)
  const account = ctx.data.accounts.get(conversation.appleId)
  return {
    scnt: conversation.scnt,
    'x-apple-id-session-id': conversation.sessionId,
    'x-apple-auth-attributes': token(30),
    'x-apple-id-account-country': account?.region === 'cn' ? 'CHN' : 'USA',
    'set-cookie': [setCookie('aasp', token(12), ctx.now() + 3_600_000, ctx.secure)],
  }
}

function issueSessionToken(ctx: ICloudContext, appleId: string, verified: boolean): string {
  const value = token(32)
  ctx.tx.put<SessionTokenRecord>('sessionTokens', value, {
    appleId,
    verified,
    expiresAt: ctx.now() + ctx.settings.sessionTokenLifetimeMs,
  })
  return value
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
  const conversation: Conversation = {
    appleId: account?.appleId ?? normalizeAppleId(body.accountName),
    accountName: body.accountName,
    scnt: token(18),
    sessionId: token(24),
    c: `d-${Math.floor(ctx.now() / 1000)}-${token(8)}:MSA`,
    A: body.a,
    b: toBase64(challenge.b),
    B: toBase64(challenge.B),
    stage: 'init',
    expiresAt: ctx.now() + 15 * 60_000,
  }
  saveConversation(ctx, conversation)
  const protocol = account?.protocol ?? 's2k'
  if (body.protocols && !body.protocols.includes(protocol))
    throw iCloudFailure(400, serviceErrors('-20000', `This account needs protocol ${protocol}.`))
  return answer(
    200,
    {
      iteration: account?.iterations ?? 1000,
      salt: account?.salt ?? toBase64(new Uint8Array(16)),
      protocol,
      b: conversation.B,
      c: conversation.c,
    },
    conversationHeaders(ctx, conversation),
  )
}

function signinComplete(ctx: ICloudContext, request: EmulatorRequest): Reply {
  const body = requestJson<{
    accountName?: string
    c?: string
    m1?: string
    m2?: string
    trustTokens?: string[]
  }>(request)
  const conversation = findConversation(ctx, request)
  const refuse = () =>
    answer(
      400,
      serviceErrors(
        '-20000',
        'signin/complete does not continue a signin/init conversation (c, scnt or X-Apple-ID-Session-Id).',
      ),
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
  return afterPassword(ctx, account, conversation, body.trustTokens ?? [], headers)
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
    saveConversation(ctx, conversation)
    return answer(
      409,
      { authType: 'hsa2' },
      {
        ...headers,
        'x-apple-session-token': issueSessionToken(ctx, account.appleId, false),
        'x-apple-twosv-trust-eligible': 'true',
      },
    )
  }
  if (account.repair && account.secondFactor === 'none') {
    conversation.stage = 'repair'
    saveConversation(ctx, conversation)
    return answer(412, { authType: 'non-sa' }, headers)
  }
  conversation.stage = 'done'
  saveConversation(ctx, conversation)
  return answer(
    200,
    {
      authType: account.secondFactor === 'hsa2' ? 'hsa2' : account.secondFactor === '2sa' ? 'hsa' : 'non-sa',
    },
    {
      ...headers,
      'x-apple-session-token': issueSessionToken(ctx, account.appleId, true),
    },
  )
}

function repairComplete(ctx: ICloudContext, conversation: Conversation): Reply {
  const headers = conversationHeaders(ctx, conversation)
  if (conversation.stage !== 'repair')
    throw iCloudFailure(400, serviceErrors('-20000', 'Nothing to repair.'), headers)
  conversation.stage = 'done'
  return answer(204, undefined, {
    ...headers,
    'x-apple-session-token': issueSessionToken(ctx, conversation.appleId, true),
  })
}

function authOptions(ctx: ICloudContext, conversation: Conversation): Reply {
  const account = ctx.data.accounts.get(conversation.appleId)
  const headers = conversationHeaders(ctx, conversation)
  if (!account || conversation.stage !== 'awaiting-code')
    throw iCloudFailure(400, serviceErrors('-20000', 'No two-factor step pending.'), headers)
  return answer(
    200,
    {
      trustedPhoneNumbers: account.trustedPhones.map((p) => ({
        ...p,
        obfuscatedNumber: p.numberWithDialCode,
        lastTwoDigits: p.numberWithDialCode.slice(-2),
      })),
      securityCode: {
        length: 6,
        tooManyCodesSent: false,
        tooManyCodesValidated: false,
        securityCodeLocked: false,
      },
      authenticationType: 'hsa2',
      hasTrustedDevices: true,
      authFactors: ['robocall', 'sms', 'generatedcode'],
      authInitialRoute: 'auth/verify/trusteddevice',
    },
    headers,
  )
}

function sendCode(ctx: ICloudContext, conversation: Conversation, via: 'device', status = 202): Reply {
  const headers = conversationHeaders(ctx, conversation)
  if (conversation.stage !== 'awaiting-code')
    throw iCloudFailure(400, serviceErrors('-20000', 'No two-factor step pending.'), headers)
  conversation.code = ctx.accounts.issueCode(conversation.appleId, ctx.tx)
  conversation.codeVia = via
  saveConversation(ctx, conversation)
  return answer(status, { securityCode: { length: 6 }, trustedDeviceCount: 1 }, headers)
}

function sendPhoneCode(ctx: ICloudContext, conversation: Conversation, request: EmulatorRequest): Reply {
  const headers = conversationHeaders(ctx, conversation)
  const body = requestJson<{ phoneNumber?: { id?: number }; mode?: string }>(request)
  const account = ctx.data.accounts.get(conversation.appleId)
  const phone = account?.trustedPhones.find((p) => p.id === body?.phoneNumber?.id)
  if (conversation.stage !== 'awaiting-code')
    throw iCloudFailure(400, serviceErrors('-20000', 'No two-factor step pending.'), headers)
  if (!phone)
    return answer(412, serviceErrors('-22979', 'The phone number id is not a trusted number.'), headers)
  conversation.code = ctx.accounts.issueCode(conversation.appleId, ctx.tx)
  conversation.codeVia = body?.mode === 'voice' ? 'voice' : 'sms'
  saveConversation(ctx, conversation)
  return answer(200, { trustedPhoneNumber: phone, mode: conversation.codeVia }, headers)
}

function validateCode(ctx: ICloudContext, conversation: Conversation, request: EmulatorRequest): Reply {
  const headers = conversationHeaders(ctx, conversation)
  const body = requestJson<{ securityCode?: { code?: unknown } }>(request)
  const code = body?.securityCode?.code
  if (conversation.stage !== 'awaiting-code' || conversation.code === undefined)
    throw iCloudFailure(400, serviceErrors('-20000', 'No code was requested.'), headers)
  // Codes are strings: a number loses leading zeros (docs/protocols/icloud.md §4.4).
  if (typeof code !== 'string' || code !== conversation.code)
    throw iCloudFailure(
      400,
      { service_errors: [{ code: '-21669', message: 'Incorrect verification code.' }], hasError: true },
      headers,
    )
  conversation.stage = 'verified'
  conversation.code = undefined
  saveConversation(ctx, conversation)
  const session = { 'x-apple-session-token': issueSessionToken(ctx, conversation.appleId, true) }
  if (ctx.settings.codeAnswer === 409)
    return answer(409, { securityCode: { code, valid: true } }, { ...headers, ...session })
  return answer(ctx.settings.codeAnswer, ctx.settings.codeAnswer === 200 ? {} : undefined, {
    ...headers,
    ...session,
  })
}

function trust(ctx: ICloudContext, conversation: Conversation): Reply {
  const headers = conversationHeaders(ctx, conversation)
  if (conversation.stage !== 'verified')
    throw iCloudFailure(400, serviceErrors('-20000', 'Verify a code before asking for trust.'), headers)
  conversation.stage = 'trusted'
  const trustToken = token(40)
  ctx.tx.put('trustTokens', trustToken, {
    appleId: conversation.appleId,
    expiresAt: ctx.now() + ctx.settings.trustLifetimeMs,
  })
  saveConversation(ctx, conversation)
  return answer(204, undefined, {
    ...headers,
    'x-apple-twosv-trust-token': trustToken,
    'x-apple-session-token': issueSessionToken(ctx, conversation.appleId, true),
  })
}

function legacySignin(ctx: ICloudContext, request: EmulatorRequest): Reply {
  const body = requestJson<{ accountName?: string; password?: string; trustTokens?: string[] }>(request)
  const account = body?.accountName ? ctx.accounts.get(body.accountName) : undefined
  if (!account || typeof body?.password !== 'string' || !passwordMatches(account, body.password))
    throw iCloudFailure(401, WRONG_PASSWORD())
  const conversation: Conversation = {
    appleId: account.appleId,
    accountName: account.appleId,
    scnt: token(18),
    sessionId: token(24),
    c: '',
    A: '',
    b: '',
    B: '',
    stage: 'init',
    expiresAt: ctx.now() + 15 * 60_000,
  }
  saveConversation(ctx, conversation)
  return afterPassword(
    ctx,
    account,
    conversation,
    body.trustTokens ?? [],
    conversationHeaders(ctx, conversation),
  )
}

/** Checks a plaintext password against the stored verifier (the password itself is never stored). */
export function passwordMatches(account: EmulatedAccount, password: string): boolean {
  const salt = fromBase64(account.salt)
  const key = derivePasswordKeySync(password, salt, account.iterations, account.protocol)
  return Buffer.from(computeVerifier(key, salt)).toString('hex') === account.verifier
}

/** Writes a conversation (its scnt and stage change on every answer). */
function saveConversation(ctx: ICloudContext, conversation: Conversation): void {
  ctx.tx.put('conversations', conversation.sessionId, conversation)
}
