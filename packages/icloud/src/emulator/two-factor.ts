import { type EmulatorRequest, type Reply, reply } from '@sigwire/emulator-kit'
import { ICLOUD_FINDINGS } from '../doctor/findings.js'
import { verifySecurityKeyAssertion } from '../doctor/security-key.js'
import {
  authOptionsJson,
  authOptionsPage,
  phoneVerification,
  securityCodeBlock,
  trustedPhone,
} from './auth-options.js'
import { handleBridgeStep } from './bridge/steps.js'
import { type ICloudContext, token } from './context.js'
import { conversationHeaders, issueSessionToken, saveConversation, withNotes } from './conversation.js'
import { answer, header, iCloudFailure, requestJson, serviceErrors } from './http-util.js'
import type { Conversation, EmulatedAccount } from './state.js'

type Headers = Record<string, string | string[]>

/**
 * The two-factor part of idmsa once `signin/complete` answered 409 (docs/protocols/icloud.md §4, §12):
 * the options, code requests, code validation, the security key, and `2sv/trust`.
 */
export async function handleTwoFactor(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  conversation: Conversation,
): Promise<Reply> {
  const method = request.method
  const headers = conversationHeaders(ctx, conversation)
  const account = ctx.data.accounts.get(conversation.appleId)
  if (method === 'GET' && path === '/2sv/trust') return trust(ctx, conversation, headers)
  if (path.startsWith('/bridge/')) return handleBridgeStep(ctx, request, path, conversation, account, headers)
  if (!account || conversation.stage !== 'awaiting-code')
    throw iCloudFailure(400, serviceErrors('-20000', 'No two-factor step pending.'), headers)
  if (method === 'GET' && path === '')
    return authOptions(request, account, conversation, headers, ctx.bridge.socketUrl)
  if (method === 'POST' && path === '/verify/security/key')
    return securityKey(ctx, request, account, conversation, headers)
  if ((account.securityKeys ?? []).length > 0 && path.startsWith('/verify/'))
    throw iCloudFailure(
      400,
      serviceErrors('-20000', 'This Apple ID signs in with a security key (verify/security/key).'),
      headers,
    )
  if (method === 'PUT' && path === '/verify/trusteddevice/securitycode')
    return pushToDevices(ctx, account, conversation, headers, 202)
  if (method === 'GET' && path === '/verify/trusteddevice')
    return pushToDevices(ctx, account, conversation, headers, 200)
  if (method === 'PUT' && path === '/verify/trusteddevice') {
    // The old way to send the device code again (icloud-photos-sync); said to answer 405 since iOS 26.4
    // (steilerDev PR #1104), one source: accepted with a note, refused by the strict profile.
    const note = ICLOUD_FINDINGS.finding(
      'device-resend-legacy',
      'PUT verify/trusteddevice asked for a new device code the old way.',
      { severity: ctx.settings.profile === 'strict' ? 'error' : 'note' },
    )
    if (ctx.settings.profile === 'strict') throw iCloudFailure(405, undefined, headers, [note])
    return withNotes(pushToDevices(ctx, account, conversation, headers, 202), [note])
  }
  if (method === 'PUT' && path === '/verify/phone')
    return sendToPhone(ctx, request, account, conversation, headers)
  if (method === 'POST' && path === '/verify/trusteddevice/securitycode')
    return validateCode(ctx, request, account, conversation, headers, 'device')
  if (method === 'POST' && path === '/verify/phone/securitycode')
    return validateCode(ctx, request, account, conversation, headers, 'phone')
  throw iCloudFailure(404, serviceErrors('-20000', `No idmsa endpoint ${method} ${path}`), headers)
}

/** `GET {auth}`: the page with `boot_args` when HTML is asked for (pyicloud), else JSON. */
function authOptions(
  request: EmulatorRequest,
  account: EmulatedAccount,
  conversation: Conversation,
  headers: Headers,
  webSocketUrl: string | undefined,
): Reply {
  const accept = header(request, 'accept') ?? ''
  if (/text\/html/i.test(accept) && !/application\/json/i.test(accept))
    return reply(
      200,
      { text: authOptionsPage(account, conversation, webSocketUrl), type: 'text/html;charset=UTF-8' },
      headers,
    )
  return answer(200, authOptionsJson(account, conversation, webSocketUrl), headers)
}

/**
 * A code pushed to the trusted devices: 202 with `trustedDeviceCount` (what icloud-photos-sync checks),
 * the `securityCode` block and the phone alternative.
 */
function pushToDevices(
  ctx: ICloudContext,
  account: EmulatedAccount,
  conversation: Conversation,
  headers: Headers,
  status: number,
): Reply {
  if (account.trustedDevices === false)
    throw iCloudFailure(400, serviceErrors('-21451', 'This Apple ID has no trusted device.'), headers)
  conversation.code = ctx.accounts.issueCode(account.appleId, ctx.tx, 'device')
  conversation.codeVia = 'device'
  saveConversation(ctx, conversation)
  return answer(
    status,
    {
      trustedDeviceCount: 1,
      securityCode: securityCodeBlock(),
      phoneNumberVerification: phoneVerification(account),
      authenticationType: 'hsa2',
    },
    headers,
  )
}

/** `PUT verify/phone`: an SMS or a call; 200 with Apple's phone verification document (icloud-photos-sync). */
function sendToPhone(
  ctx: ICloudContext,
  request: EmulatorRequest,
  account: EmulatedAccount,
  conversation: Conversation,
  headers: Headers,
): Reply {
  const body = requestJson<{ phoneNumber?: { id?: unknown }; mode?: unknown }>(request)
  const phone = account.trustedPhones.find((p) => String(p.id) === String(body?.phoneNumber?.id))
  if (!phone)
    return answer(412, serviceErrors('-22979', 'The phone number id is not a trusted number.'), headers)
  const mode = body?.mode === 'voice' ? 'voice' : 'sms'
  const code = ctx.accounts.issueCode(account.appleId, ctx.tx, 'phone')
  conversation.code = code
  conversation.codeVia = mode
  conversation.phoneCodes = { ...conversation.phoneCodes, [String(phone.id)]: code }
  saveConversation(ctx, conversation)
  const verification = phoneVerification(account)
  return answer(
    200,
    {
      ...verification,
      trustedPhoneNumber: trustedPhone(phone),
      phoneNumber: trustedPhone(phone),
      mode,
      type: 'verification',
    },
    headers,
  )
}

/**
 * A code entered for the trusted devices or a phone. A device code needs no prior request (Apple
 * accepts a code made on the device, icloudpd #1322); a phone code is the one sent to that phone.
 * Right codes answer 204 for devices and 200 for phones (icloud-photos-sync `enterSuccessful`), or
 * the configured status.
 */
function validateCode(
  ctx: ICloudContext,
  request: EmulatorRequest,
  account: EmulatedAccount,
  conversation: Conversation,
  headers: Headers,
  via: 'device' | 'phone',
): Reply {
  const body = requestJson<{ securityCode?: { code?: unknown }; phoneNumber?: { id?: unknown } }>(request)
  const code = body?.securityCode?.code
  const expected =
    via === 'device'
      ? ctx.accounts.lastCode(account.appleId, 'device')
      : (conversation.phoneCodes?.[String(body?.phoneNumber?.id)] ?? account.fixedCode)
  // Codes are strings: a number loses leading zeros (docs/protocols/icloud.md §4.4).
  if (typeof code !== 'string' || expected === undefined || code !== expected)
    throw iCloudFailure(
      400,
      { service_errors: [{ code: '-21669', message: 'Incorrect verification code.' }], hasError: true },
      headers,
    )
  if (via === 'device' && account.fixedCode === undefined)
    ctx.tx.delete('lastCodes', `device:${account.appleId}`)
  return verified(ctx, conversation, headers, via === 'device' ? 204 : 200, {
    securityCode: { code, valid: true },
  })
}

/** `POST verify/security/key`: a WebAuthn assertion checked with the registered key (docs/protocols/icloud.md §14). */
function securityKey(
  ctx: ICloudContext,
  request: EmulatorRequest,
  account: EmulatedAccount,
  conversation: Conversation,
  headers: Headers,
): Reply {
  const keys = account.securityKeys ?? []
  if (keys.length === 0 || !conversation.fsaChallenge)
    throw iCloudFailure(400, serviceErrors('-20000', 'This Apple ID has no security key.'), headers)
  const verdict = verifySecurityKeyAssertion(requestJson(request) ?? {}, {
    challenge: conversation.fsaChallenge,
    rpId: 'apple.com',
    keys,
  })
  if (!verdict.ok)
    throw iCloudFailure(400, serviceErrors('-20000', 'The security key could not be verified.'), headers, [
      verdict.finding,
    ])
  ctx.tx.put('accounts', account.appleId, {
    ...account,
    securityKeys: keys.map((k) =>
      k.credentialId === verdict.credentialId ? { ...k, signCount: verdict.signCount } : k,
    ),
  })
  conversation.fsaChallenge = undefined
  return verified(ctx, conversation, headers, 204, {})
}

/** Marks the conversation verified and answers with a verified session token. */
export function verified(
  ctx: ICloudContext,
  conversation: Conversation,
  headers: Headers,
  natural: 200 | 204,
  body409: Record<string, unknown>,
): Reply {
  conversation.stage = 'verified'
  conversation.code = undefined
  const session = { 'x-apple-session-token': issueSessionToken(ctx, conversation, true) }
  saveConversation(ctx, conversation)
  const status = ctx.settings.codeAnswer === 'apple' ? natural : ctx.settings.codeAnswer
  if (status === 409) return answer(409, body409, { ...headers, ...session })
  return answer(status, status === 200 ? {} : undefined, { ...headers, ...session })
}

function trust(ctx: ICloudContext, conversation: Conversation, headers: Headers): Reply {
  if (conversation.stage !== 'verified')
    throw iCloudFailure(400, serviceErrors('-20000', 'Verify a code before asking for trust.'), headers)
  conversation.stage = 'trusted'
  const trustToken = token(40)
  ctx.tx.put('trustTokens', trustToken, {
    appleId: conversation.appleId,
    expiresAt: ctx.now() + ctx.settings.trustLifetimeMs,
  })
  const sessionToken = issueSessionToken(ctx, conversation, true)
  saveConversation(ctx, conversation)
  return answer(204, undefined, {
    ...headers,
    'x-apple-twosv-trust-token': trustToken,
    'x-apple-session-token': sessionToken,
  })
}
