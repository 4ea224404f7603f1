import { randomBytes } from 'node:crypto'
import { type EmulatorRequest, type Reply, reply } from '@sigwire/emulator-kit'
import { formatStep4Data, strictBase64 } from '../../auth/bridge/step-data.js'
import { BRIDGE_TOPIC } from '../auth-options.js'
import type { ICloudContext } from '../context.js'
import { saveConversation } from '../conversation.js'
import { answer, iCloudFailure, requestJson, serviceErrors } from '../http-util.js'
import type { Conversation, EmulatedAccount } from '../state.js'
import { verified } from '../two-factor.js'
import { type DeviceSession, deviceCode, idmsData, transactionId } from './device.js'
import { verifierSide } from './device-pake.js'

type Headers = Record<string, string | string[]>
type Body = Record<string, unknown>

/**
 * idmsa's bridge endpoints with the trusted device behind them (docs/protocols/icloud.md §17.4):
 * `bridge/step/0` prompts the device, which pushes its salt; step 2 carries the browser's share and the
 * device pushes its own with its confirmation; step 4 carries the browser's confirmation and the device
 * pushes the sealed validation code; `bridge/code/validate` checks that code; the last step closes.
 * A step out of order (a replay), for another session, token or `idmsdata`, or after the session
 * expired is refused with 400; a wrong confirmation with 400 `-21669`; a wrong validation code with 412.
 */
export async function handleBridgeStep(
  ctx: ICloudContext,
  request: EmulatorRequest,
  path: string,
  conversation: Conversation,
  account: EmulatedAccount | undefined,
  headers: Headers,
): Promise<Reply> {
  if (!account?.bridge || request.method !== 'POST')
    throw iCloudFailure(404, serviceErrors('-20000', `No idmsa endpoint ${request.method} ${path}`), headers)
  const body = requestJson<Body>(request) ?? {}
  if (path === '/bridge/step/0') return stepZero(ctx, body, conversation, account, headers)
  const session = typeof body.sessionUUID === 'string' ? ctx.bridge.get(body.sessionUUID) : undefined
  if (!session || session.conversation !== conversation.sessionId)
    throw refused(headers, 'No bridge session with this sessionUUID in this sign-in.')
  if (session.expiresAt < ctx.now()) {
    session.stage = 'failed'
    throw refused(headers, 'The bridge session expired; start the sign-in again.')
  }
  if (path === '/bridge/code/validate') return validate(ctx, body, session, conversation, headers)
  const step = /^\/bridge\/step\/([246])$/.exec(path)?.[1]
  if (step === '2') return stepTwo(ctx, body, session, conversation, headers)
  if (step === '4' && session.stage === 'shared') return stepFour(ctx, body, session, conversation, headers)
  if (step === '4' || step === '6') return closing(body, session, headers)
  throw iCloudFailure(404, serviceErrors('-20000', `No idmsa endpoint POST ${path}`), headers)
}

async function stepZero(
  ctx: ICloudContext,
  body: Body,
  conversation: Conversation,
  account: EmulatedAccount,
  headers: Headers,
): Promise<Reply> {
  awaitingCode(conversation, headers)
  const { sessionUUID, ptkn } = body
  if (typeof sessionUUID !== 'string' || !/^[\w-]{8,100}$/.test(sessionUUID) || ctx.bridge.get(sessionUUID))
    throw refused(headers, 'sessionUUID is missing, malformed or already used.')
  if (typeof ptkn !== 'string' || !ctx.bridge.hub.connected(ptkn))
    throw refused(headers, 'ptkn is not the token of a live push connection.')
  const code = deviceCode(account.fixedCode)
  const salt = new Uint8Array(randomBytes(16))
  const session: DeviceSession = {
    appleId: account.appleId,
    conversation: conversation.sessionId,
    sessionUUID,
    token: ptkn.toLowerCase(),
    code,
    salt,
    device: await verifierSide(code, salt),
    txnid: transactionId(),
    stage: 'prompted',
    expiresAt: ctx.now() + ctx.settings.bridgeLifetimeMs,
    idmsdata: idmsData(),
  }
  ctx.bridge.add(session)
  later(ctx, session, {
    nextStep: '2',
    ruiURLKey: 'hsa2TwoFactorAuthApprovalFlowUrl',
    salt: Buffer.from(salt).toString('base64'),
    mid: 'bridge-mid',
  })
  return answer(200, {}, headers)
}

function stepTwo(
  ctx: ICloudContext,
  body: Body,
  session: DeviceSession,
  conversation: Conversation,
  headers: Headers,
): Reply {
  awaitingCode(conversation, headers)
  if (session.stage !== 'prompted')
    throw refused(headers, 'Step 2 was already taken for this bridge session.')
  sameSender(body, session, headers, 2)
  const X = typeof body.data === 'string' ? strictBase64(body.data) : undefined
  const device = X ? session.device.answer(X) : undefined
  if (!device) throw refused(headers, "Step 2's data is not a base64 P-256 point.")
  session.answer = device
  session.stage = 'shared'
  session.idmsdata = idmsData()
  later(ctx, session, { nextStep: '4', data: formatStep4Data(session.device.share, device.confirmation) })
  return answer(200, {}, headers)
}

function stepFour(
  ctx: ICloudContext,
  body: Body,
  session: DeviceSession,
  conversation: Conversation,
  headers: Headers,
): Reply {
  awaitingCode(conversation, headers)
  sameSender(body, session, headers, 4)
  const confirmation = typeof body.data === 'string' ? strictBase64(body.data) : undefined
  if (!confirmation || !session.answer?.accepts(confirmation)) {
    session.stage = 'failed'
    throw iCloudFailure(
      400,
      { service_errors: [{ code: '-21669', message: 'Incorrect verification code.' }], hasError: true },
      headers,
    )
  }
  session.stage = 'confirmed'
  session.validation = deviceCode(undefined)
  session.idmsdata = idmsData()
  later(ctx, session, {
    nextStep: '6',
    encryptedCode: Buffer.from(session.answer.seal(session.validation)).toString('base64'),
  })
  return answer(200, {}, headers)
}

function validate(
  ctx: ICloudContext,
  body: Body,
  session: DeviceSession,
  conversation: Conversation,
  headers: Headers,
): Reply {
  awaitingCode(conversation, headers)
  if (session.stage !== 'confirmed')
    throw refused(headers, 'No validation code is pending for this bridge session.')
  if (typeof body.code !== 'string' || body.code !== session.validation) {
    session.stage = 'failed'
    return answer(412, serviceErrors('-21669', 'Incorrect verification code.'), headers)
  }
  session.stage = 'validated'
  saveConversation(ctx, conversation)
  return verified(ctx, conversation, headers, 200, {})
}

/** The page's last step: `data` is base64 "done", on the step the final push named. */
function closing(body: Body, session: DeviceSession, headers: Headers): Reply {
  if (session.stage !== 'validated') throw refused(headers, 'The bridge session is not at its closing step.')
  sameSender(body, session, headers, 6)
  if (body.data !== Buffer.from('done').toString('base64'))
    throw refused(headers, 'The closing step carries base64 "done".')
  session.stage = 'done'
  return answer(200, {}, headers)
}

function sameSender(body: Body, session: DeviceSession, headers: Headers, step: number): void {
  if (typeof body.ptkn !== 'string' || body.ptkn.toLowerCase() !== session.token)
    throw refused(headers, `Step ${step} came with another push token.`)
  if (body.idmsdata !== undefined && body.idmsdata !== session.idmsdata)
    throw refused(headers, `Step ${step} sent back idmsdata other than the device's last push.`)
}

function awaitingCode(conversation: Conversation, headers: Headers): void {
  if (conversation.stage !== 'awaiting-code')
    throw iCloudFailure(400, serviceErrors('-20000', 'No two-factor step pending.'), headers)
}

function refused(headers: Headers, message: string) {
  return iCloudFailure(400, serviceErrors('-20000', message), headers)
}

/** The device's push, after the answer and after the configured device delay. */
function later(ctx: ICloudContext, session: DeviceSession, fields: Body): void {
  const payload = {
    sessionUUID: session.sessionUUID,
    txnid: session.txnid,
    idmsdata: session.idmsdata,
    akdata: { lat: 0, lng: 0 },
    ...fields,
  }
  setTimeout(
    () => {
      if (session.stage !== 'failed') ctx.bridge.hub.push(session.token, BRIDGE_TOPIC, payload)
    },
    Math.max(1, ctx.settings.bridgeDeviceDelayMs),
  ).unref()
}

/** `GET /_emulator/icloud/bridge-code?appleId=`: the code the emulated device shows. */
export function bridgeCodeAdmin(ctx: Pick<ICloudContext, 'bridge' | 'now'>, request: EmulatorRequest): Reply {
  const appleId = request.url.searchParams.get('appleId')?.trim().toLowerCase()
  const view = appleId ? ctx.bridge.view(appleId, ctx.now()) : undefined
  if (!view)
    return reply(404, {
      json: {
        error: 'No bridge prompt is showing for this Apple ID; pass ?appleId= and start a sign-in first.',
      },
    })
  return reply(200, { json: view })
}
